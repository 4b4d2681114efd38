package guard

func (g *guards) installBigIntGuards() {}
