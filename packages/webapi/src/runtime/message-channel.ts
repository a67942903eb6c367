// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * https://html.spec.whatwg.org/multipage/web-messaging.html#channel-messaging — MessageChannel and
 * MessagePort within one isolate. A message is structured-cloned when posted and delivered as its own
 * task (a separate entry, so microtasks drain between messages) once the receiving port's message queue
 * is enabled by start() or by setting onmessage.
 */
import { DOMException, webidlInterface } from "./dom-exception.js";
import { defineEventHandler, EventTarget, fireEvent, MessageEvent, registerMessagePortBrand } from "./events.js";
import {
  ArrayPrototypeIncludes,
  ArrayPrototypePush,
  ArrayPrototypeShift,
  SafeArrayIterator,
  SymbolIterator,
  TypeError,
} from "./primordials.js";
import { cloneWithTransfer, registerTransferable, toObjectSequence, toTransferList } from "./structured-clone.js";
import { queueTask } from "./timers.js";

interface Message {
  data: unknown;
  ports: object[];
}

/** What moves when a port is transferred: its entanglement and its queue. */
interface PortHolder {
  entangled: MessagePort | null;
  queue: Message[];
}

let constructing = false;
let internals: {
  create(): MessagePort;
  entangle(a: MessagePort, b: MessagePort): void;
  isPort(value: unknown): value is MessagePort;
};

export class MessagePort extends EventTarget {
  #entangled: MessagePort | null = null;
  #queue: Message[] = [];
  #enabled = false;
  /** [[Detached]]: closed or transferred. */
  #detached = false;

  constructor() {
    if (!constructing) throw new TypeError("Illegal constructor");
    super();
  }

  /** https://html.spec.whatwg.org/multipage/web-messaging.html#dom-messageport-postmessage */
  postMessage(
    message: unknown,
    transferOrOptions: Iterable<object> | { transfer?: Iterable<object> } | undefined = undefined,
  ): void {
    const target = this.#entangled;
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    if (arguments.length < 1) throw new TypeError("postMessage: 1 argument required, but only 0 present");
    // Overload resolution: an object with @@iterator is the transfer sequence, anything else the options.
    const isSequence =
      typeof transferOrOptions === "object" &&
      transferOrOptions !== null &&
      typeof (transferOrOptions as Iterable<object>)[SymbolIterator] === "function";
    const transfer = isSequence ? toObjectSequence(transferOrOptions, "transfer") : toTransferList(transferOrOptions);
    // https://html.spec.whatwg.org/multipage/web-messaging.html#message-port-post-message-steps
    if (ArrayPrototypeIncludes(transfer, this))
      throw new DOMException("a port cannot transfer itself", "DataCloneError");
    const doExpose = !(target !== null && ArrayPrototypeIncludes(transfer, target));
    const cloned = cloneWithTransfer(message, transfer);
    if (target === null || !doExpose) return;
    const ports: object[] = [];
    const transferred = cloned.transferred;
    for (let i = 0; i < transferred.length; i++) {
      if (internals.isPort(transferred[i])) ArrayPrototypePush(ports, transferred[i] as object);
    }
    target.#enqueue({ data: cloned.value, ports });
  }

  /** https://html.spec.whatwg.org/multipage/web-messaging.html#dom-messageport-start */
  start(): void {
    if (this.#enabled) return;
    this.#enabled = true;
    for (let i = 0; i < this.#queue.length; i++) queueTask(() => this.#deliver());
  }

  /** https://html.spec.whatwg.org/multipage/web-messaging.html#dom-messageport-close */
  close(): void {
    this.#detached = true;
    this.#queue.length = 0;
    const other = this.#entangled;
    if (other) {
      other.#entangled = null;
      this.#entangled = null;
    }
  }

  #enqueue(message: Message): void {
    ArrayPrototypePush(this.#queue, message);
    if (this.#enabled) queueTask(() => this.#deliver());
  }

  /** One task per message: delivers the head of the queue (it may have moved with a transfer). */
  #deliver(): void {
    const message = ArrayPrototypeShift(this.#queue);
    if (message === undefined || this.#detached) return;
    // The ports as a safe iterator: MessageEvent converts `ports` as a sequence, by its iterator.
    const init = { data: message.data, ports: new SafeArrayIterator(message.ports) };
    fireEvent(this, new MessageEvent("message", init));
  }

  static {
    internals = {
      create() {
        constructing = true;
        try {
          return new MessagePort();
        } finally {
          constructing = false;
        }
      },
      entangle(a, b) {
        a.#entangled = b;
        b.#entangled = a;
      },
      isPort: (value): value is MessagePort => typeof value === "object" && value !== null && #queue in value,
    };
    registerTransferable({
      is: (value) => internals.isPort(value),
      isDetached: (value) => (value as MessagePort).#detached,
      transfer(value): PortHolder {
        const port = value as MessagePort;
        const holder: PortHolder = { entangled: port.#entangled, queue: port.#queue };
        port.#detached = true;
        port.#entangled = null;
        port.#queue = [];
        return holder;
      },
      receive(data) {
        const holder = data as PortHolder;
        const port = internals.create();
        port.#queue = holder.queue;
        if (holder.entangled) internals.entangle(port, holder.entangled);
        return port;
      },
    });
  }
}
for (const type of ["message", "messageerror"]) {
  // Setting onmessage starts the port's queue; onmessageerror does not.
  defineEventHandler(
    MessagePort.prototype,
    type,
    type === "message" ? (port) => (port as MessagePort).start() : undefined,
  );
}
webidlInterface(MessagePort, "MessagePort");
registerMessagePortBrand((value) => internals.isPort(value));

export class MessageChannel {
  #port1: MessagePort;
  #port2: MessagePort;
  constructor() {
    this.#port1 = internals.create();
    this.#port2 = internals.create();
    internals.entangle(this.#port1, this.#port2);
  }
  get port1(): MessagePort {
    return this.#port1;
  }
  get port2(): MessagePort {
    return this.#port2;
  }
}
webidlInterface(MessageChannel, "MessageChannel");
