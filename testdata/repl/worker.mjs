import { twice } from "./twice.ts";
export function main() {
  console.log("worker main", twice(21));
}
