var fromTS: string = "typed global";
