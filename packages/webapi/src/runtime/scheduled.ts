// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * https://developers.cloudflare.com/workers/runtime-apis/handlers/scheduled/ — what a cron trigger
 * hands the app: `scheduled(controller, env, ctx)` in the module form, a `scheduled` event in the
 * service-worker form. Both carry `cron`, `scheduledTime` (epoch ms) and `noRetry()`.
 */

import type { ExecutionContext } from "./cloudflare-workers.js";
import { webidlInterface } from "./dom-exception.js";
import { Event } from "./events.js";

export class ScheduledController {
  readonly cron: string;
  readonly scheduledTime: number;
  readonly #noRetry: () => void;

  constructor(cron: string, scheduledTime: number, noRetry: () => void) {
    this.cron = cron;
    this.scheduledTime = scheduledTime;
    this.#noRetry = noRetry;
  }

  /** NANO never retries a failed run; the call is recorded with the run's outcome. */
  noRetry(): void {
    this.#noRetry();
  }
}

export class ScheduledEvent extends Event {
  readonly cron: string;
  readonly scheduledTime: number;
  readonly #controller: ScheduledController;
  readonly #ctx: ExecutionContext;

  constructor(type: string, init: { controller: ScheduledController; ctx: ExecutionContext }) {
    super(type);
    this.#controller = init.controller;
    this.#ctx = init.ctx;
    this.cron = init.controller.cron;
    this.scheduledTime = init.controller.scheduledTime;
  }

  waitUntil(promise: unknown): void {
    this.#ctx.waitUntil(promise);
  }

  noRetry(): void {
    this.#controller.noRetry();
  }
}

webidlInterface(ScheduledController, "ScheduledController");
webidlInterface(ScheduledEvent, "ScheduledEvent");
