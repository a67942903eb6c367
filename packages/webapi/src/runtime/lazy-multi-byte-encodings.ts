/**
 * @exodus/bytes' legacy multi-byte encoding tables (gbk, gb18030, big5, euc-jp, shift_jis, euc-kr):
 * build.mjs maps its `./multi-byte.encodings.cjs` here, so the tables' 147 KiB of source stays out of
 * the snapshot and loads (lazy.ts) the first time an app decodes or encodes one of them.
 */
import { loadLazy } from "./lazy.js";

export default function loadEncodings(): unknown {
  return loadLazy("multi-byte-encodings");
}
