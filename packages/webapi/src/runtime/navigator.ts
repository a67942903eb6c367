/**
 * https://html.spec.whatwg.org/multipage/system-state.html#the-navigator-object — the part of
 * Navigator the WinterTC Minimum Common API names: `userAgent` (and `hardwareConcurrency`, as workerd
 * has it). One isolate runs on one thread at a time, hence 1.
 */
import { webidlInterface } from "./dom-exception.js";

export const USER_AGENT = "NANO/0.1.0";

let constructing = false;
export let navigator: Navigator;

export class Navigator {
  constructor() {
    if (!constructing) throw new TypeError("Illegal constructor");
  }
  get userAgent(): string {
    this.#brand();
    return USER_AGENT;
  }
  get hardwareConcurrency(): number {
    this.#brand();
    return 1;
  }
  #brand(): void {}
  static {
    constructing = true;
    navigator = new Navigator();
    constructing = false;
  }
}
webidlInterface(Navigator, "Navigator");
