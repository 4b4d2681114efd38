let ok: number = 1;
let bad: number = ;
