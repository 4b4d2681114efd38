import { twice } from "./twice.ts";
await null;
export const answer = twice(21);
console.log("mod loaded");
