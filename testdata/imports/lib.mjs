export const v = "lib";
