// https://webidl.spec.whatwg.org/#idl-DOMException — constructor, attributes, legacy codes, constants.

test(() => {
  const e = new DOMException();
  assert_equals(e.name, "Error");
  assert_equals(e.message, "");
  assert_equals(e.code, 0);
}, "DOMException defaults");

test(() => {
  const e = new DOMException("msg", "AbortError");
  assert_equals(e.name, "AbortError");
  assert_equals(e.message, "msg");
  assert_equals(e.code, 20);
  assert_equals(String(e), "AbortError: msg");
}, "DOMException(message, name)");

test(() => {
  assert_equals(new DOMException(undefined).message, "");
  assert_equals(new DOMException(null).message, "null");
  assert_equals(new DOMException(5, 6).name, "6");
  assert_equals(new DOMException("m", undefined).name, "Error");
  assert_throws_js(TypeError, () => new DOMException(Symbol()));
  assert_throws_js(TypeError, () => DOMException("m"));
}, "DOMException argument conversion");

test(() => {
  const e = new DOMException("m", "SyntaxError");
  assert_true(e instanceof DOMException);
  assert_true(e instanceof Error);
  assert_equals(Object.getPrototypeOf(DOMException.prototype), Error.prototype);
  assert_equals(typeof e.stack, "string");
  assert_true(e.stack.startsWith("SyntaxError: m"), e.stack);
}, "DOMException is an Error with a stack");

test(() => {
  const e = new DOMException("m", "NotFoundError");
  assert_false(Object.hasOwn(e, "name"));
  assert_false(Object.hasOwn(e, "message"));
  assert_false(Object.hasOwn(e, "code"));
  for (const attr of ["name", "message", "code"]) {
    const d = Object.getOwnPropertyDescriptor(DOMException.prototype, attr);
    assert_equals(typeof d.get, "function", attr);
    assert_equals(d.set, undefined, attr);
    assert_true(d.enumerable, attr);
    assert_true(d.configurable, attr);
    assert_throws_js(TypeError, () => d.get.call({}), attr);
  }
  assert_equals(Object.prototype.toString.call(e), "[object DOMException]");
}, "name, message and code are prototype getters with brand checks");

test(() => {
  const table = {
    IndexSizeError: 1,
    HierarchyRequestError: 3,
    WrongDocumentError: 4,
    InvalidCharacterError: 5,
    NoModificationAllowedError: 7,
    NotFoundError: 8,
    NotSupportedError: 9,
    InUseAttributeError: 10,
    InvalidStateError: 11,
    SyntaxError: 12,
    InvalidModificationError: 13,
    NamespaceError: 14,
    InvalidAccessError: 15,
    TypeMismatchError: 17,
    SecurityError: 18,
    NetworkError: 19,
    AbortError: 20,
    URLMismatchError: 21,
    QuotaExceededError: 22,
    TimeoutError: 23,
    InvalidNodeTypeError: 24,
    DataCloneError: 25,
    EncodingError: 0,
    NotReadableError: 0,
    UnknownError: 0,
    ConstraintError: 0,
    DataError: 0,
    TransactionInactiveError: 0,
    ReadOnlyError: 0,
    VersionError: 0,
    OperationError: 0,
    NotAllowedError: 0,
    OptOutError: 0,
    Error: 0,
    "": 0,
    toString: 0,
    constructor: 0,
  };
  for (const [name, code] of Object.entries(table)) {
    assert_equals(new DOMException("", name).code, code, name);
  }
}, "legacy code for each name in the error names table");

test(() => {
  const constants = {
    INDEX_SIZE_ERR: 1,
    DOMSTRING_SIZE_ERR: 2,
    HIERARCHY_REQUEST_ERR: 3,
    WRONG_DOCUMENT_ERR: 4,
    INVALID_CHARACTER_ERR: 5,
    NO_DATA_ALLOWED_ERR: 6,
    NO_MODIFICATION_ALLOWED_ERR: 7,
    NOT_FOUND_ERR: 8,
    NOT_SUPPORTED_ERR: 9,
    INUSE_ATTRIBUTE_ERR: 10,
    INVALID_STATE_ERR: 11,
    SYNTAX_ERR: 12,
    INVALID_MODIFICATION_ERR: 13,
    NAMESPACE_ERR: 14,
    INVALID_ACCESS_ERR: 15,
    VALIDATION_ERR: 16,
    TYPE_MISMATCH_ERR: 17,
    SECURITY_ERR: 18,
    NETWORK_ERR: 19,
    ABORT_ERR: 20,
    URL_MISMATCH_ERR: 21,
    QUOTA_EXCEEDED_ERR: 22,
    TIMEOUT_ERR: 23,
    INVALID_NODE_TYPE_ERR: 24,
    DATA_CLONE_ERR: 25,
  };
  for (const [name, value] of Object.entries(constants)) {
    assert_equals(DOMException[name], value, name);
    assert_equals(DOMException.prototype[name], value, `prototype.${name}`);
    const d = Object.getOwnPropertyDescriptor(DOMException, name);
    assert_false(d.writable, name);
    assert_true(d.enumerable, name);
    assert_false(d.configurable, name);
  }
}, "legacy code constants on the interface object and prototype");

test(() => {
  const e = new DOMException("m", "AbortError");
  assert_equals(e.ABORT_ERR, 20, "constants are reachable from instances");
}, "constants from an instance");

test(() => {
  class MyException extends DOMException {
    constructor() {
      super("sub", "TimeoutError");
    }
  }
  const e = new MyException();
  assert_equals(e.name, "TimeoutError");
  assert_equals(e.code, 23);
  assert_true(e instanceof DOMException);
}, "DOMException can be subclassed");

test(() => {
  try {
    atob("!");
    assert_unreached();
  } catch (e) {
    assert_true(e instanceof DOMException);
    assert_equals(e.code, DOMException.INVALID_CHARACTER_ERR);
  }
}, "platform APIs throw real DOMExceptions");
