/**
 * https://developers.cloudflare.com/workers/static-assets/binding/ — `env.ASSETS`, a Fetcher whose
 * `fetch(request | url, init?)` answers from the app's own static assets. The request crosses to the
 * host like an outbound fetch (the same request and response conversions), marked for the asset
 * server instead of the network; the host checks it and looks the path up in the version's index.
 */
import { webidlInterface } from "./dom-exception.js";
import type { Fetch } from "./fetch.js";
import { ObjectFreeze } from "./primordials.js";
import type { Request, RequestInit } from "./request.js";
import type { Response } from "./response.js";
import type { URL } from "./url.js";

let construct = false;

export class Fetcher {
  readonly #fetch: Fetch;

  constructor(fetch: Fetch) {
    if (!construct) throw new TypeError("Illegal constructor");
    this.#fetch = fetch;
  }

  // `init = undefined` keeps fetch.length at 1, as on Workers.
  fetch(input: string | URL | Request, init: RequestInit | undefined = undefined): Promise<Response> {
    return this.#fetch(input, init);
  }
}

webidlInterface(Fetcher, "Fetcher");

/** The binding for `env`, over the asset-marked fetch. */
export function createAssetsBinding(fetch: Fetch): Fetcher {
  construct = true;
  try {
    return ObjectFreeze(new Fetcher(fetch)) as Fetcher;
  } finally {
    construct = false;
  }
}
