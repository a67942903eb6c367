/** The host half of WebCrypto for isolates; it lives in ./crypto/ (crypto-host.ts is the bridge entry). */
export { type CryptoHost, type CryptoHostOptions, createCryptoHost } from "./crypto/crypto-host.js";
