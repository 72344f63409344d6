// XLSForm expressions (the ODK XPath subset) for skip logic, in the browser: the same
// parser and evaluator as survey_app/checklists/xpath.py, so a section or item shows or
// hides on the capture page exactly as the server decides (offline too). Pure functions.

const TOKEN = /\s*(?:(\d+(?:\.\d*)?|\.\d+)|('[^']*'|"[^"]*")|\$\{([^}]*)\}|(<=|>=|!=|=|<|>|\+|-|\*|\(|\)|,)|(\.)|([A-Za-z_][A-Za-z0-9_-]*))/y;

export const FUNCTIONS = {
  not: [1, 1], selected: [2, 2], if: [3, 3], true: [0, 0], false: [0, 0],
  "count-selected": [1, 1], "string-length": [1, 1], number: [1, 1], string: [1, 1],
  round: [1, 2], abs: [1, 1], min: [1, 32], max: [1, 32], coalesce: [2, 2],
};
const LEVELS = [["or"], ["and"], ["=", "!=", "<", "<=", ">", ">="], ["+", "-"], ["*", "div", "mod"]];
const MAX_DEPTH = 50;

export function tokenize(text) {
  const tokens = [];
  const source = text.trim();
  let position = 0;
  while (position < source.length) {
    TOKEN.lastIndex = position;
    const m = TOKEN.exec(source);
    if (!m || TOKEN.lastIndex === position) throw new Error(`ký tự không hợp lệ '${source.slice(position).trim()[0]}'`);
    if (m[1] !== undefined) tokens.push(["number", m[1]]);
    else if (m[2] !== undefined) tokens.push(["string", m[2]]);
    else if (m[3] !== undefined) tokens.push(["ref", m[3].trim()]);
    else if (m[4] !== undefined) tokens.push(["op", m[4]]);
    else if (m[5] !== undefined) tokens.push(["dot", "."]);
    else tokens.push(["word", m[6]]);
    position = TOKEN.lastIndex;
  }
  return tokens;
}

/** Parse `text` into a tree (arrays); throws an Error with a Vietnamese message. */
export function parse(text) {
  const tokens = tokenize(text);
  let position = 0;
  let depth = 0;
  const peek = () => tokens[position];
  const same = (token, kind, value) => token !== undefined && token[0] === kind && token[1] === value;
  const take = () => {
    if (position >= tokens.length) throw new Error("biểu thức kết thúc giữa chừng");
    return tokens[position++];
  };
  const expect = (symbol) => { if (!same(take(), "op", symbol)) throw new Error(`thiếu '${symbol}'`); };
  const expression = (level) => {
    if (level === LEVELS.length) return unary();
    let left = expression(level + 1);
    for (;;) {
      const token = peek();
      if (!token || !["op", "word"].includes(token[0]) || !LEVELS[level].includes(token[1])) return left;
      take();
      left = ["op", token[1], left, expression(level + 1)];
    }
  };
  const unary = () => {
    depth += 1;
    if (depth > MAX_DEPTH) throw new Error("biểu thức lồng nhau quá sâu");
    try {
      if (same(peek(), "op", "-")) { take(); return ["neg", unary()]; }
      return primary();
    } finally { depth -= 1; }
  };
  const call = (name) => {
    if (!Object.hasOwn(FUNCTIONS, name)) throw new Error(`hàm ${name}() không được hỗ trợ`);
    take();
    const args = [];
    if (!same(peek(), "op", ")")) {
      args.push(expression(0));
      while (same(peek(), "op", ",")) { take(); args.push(expression(0)); }
    }
    expect(")");
    const [least, most] = FUNCTIONS[name];
    if (args.length < least || args.length > most) throw new Error(`hàm ${name}() nhận ${least}..${most} tham số, không phải ${args.length}`);
    return ["call", name, ...args];
  };
  const primary = () => {
    const [kind, token] = take();
    if (kind === "number") return ["num", Number(token)];
    if (kind === "string") return ["str", token.slice(1, -1)];
    if (kind === "ref") {
      if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(token)) throw new Error(`tên không hợp lệ \${${token}}`);
      return ["ref", token];
    }
    if (kind === "dot") return ["dot"];
    if (kind === "op" && token === "(") { const inner = expression(0); expect(")"); return inner; }
    if (kind === "word" && same(peek(), "op", "(")) return call(token);
    throw new Error(`không hiểu '${token}'`);
  };
  const tree = expression(0);
  if (position < tokens.length) throw new Error(`không hiểu '${tokens[position][1]}'`);
  return tree;
}

export function answerValue(answer) {
  if (answer !== null && typeof answer === "object" && !Array.isArray(answer)) answer = answer.value;
  if (answer === null || answer === undefined) return "";
  if (Array.isArray(answer)) return answer.join(" ");
  return answer;
}

export function number(value) {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number") return value;
  const text = String(value).trim();
  return /^-?(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : NaN;
}

export function string(value) {
  if (typeof value === "boolean") return value ? "true" : "false";
  return String(value);
}

export function boolean(value) {
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return !(value === 0 || Number.isNaN(value));
  return value !== "";
}

function equal(left, right) {
  if (typeof left === "boolean" || typeof right === "boolean") return boolean(left) === boolean(right);
  if (typeof left === "number" || typeof right === "number") return number(left) === number(right);
  return string(left) === string(right);
}

function round(value, digits = 0) {
  if (!Number.isFinite(value)) return value;
  const scale = 10 ** Math.trunc(digits);
  return Math.floor(value * scale + 0.5) / scale;
}

const ARITHMETIC = {
  "+": (a, b) => a + b, "-": (a, b) => a - b, "*": (a, b) => a * b,
  div: (a, b) => a / b,
  mod: (a, b) => a % b,
  "<": (a, b) => a < b, "<=": (a, b) => a <= b, ">": (a, b) => a > b, ">=": (a, b) => a >= b,
};

/** The value of a parsed tree for these answers (`dot` is the answer `.` stands for). */
export function evaluate(tree, values, dot = null) {
  const [kind] = tree;
  if (kind === "num" || kind === "str") return tree[1];
  if (kind === "ref") return answerValue(Object.hasOwn(values, tree[1]) ? values[tree[1]] : null);
  if (kind === "dot") return answerValue(dot);
  if (kind === "neg") return -number(evaluate(tree[1], values, dot));
  if (kind === "call") return callFunction(tree[1], tree.slice(2), values, dot);
  const [, operator, leftTree, rightTree] = tree;
  if (operator === "and" || operator === "or") {
    const left = boolean(evaluate(leftTree, values, dot));
    if (left === (operator === "or")) return left;
    return boolean(evaluate(rightTree, values, dot));
  }
  const left = evaluate(leftTree, values, dot);
  const right = evaluate(rightTree, values, dot);
  if (operator === "=") return equal(left, right);
  if (operator === "!=") return !equal(left, right);
  return ARITHMETIC[operator](number(left), number(right));
}

function callFunction(name, args, values, dot) {
  if (name === "if") return evaluate(boolean(evaluate(args[0], values, dot)) ? args[1] : args[2], values, dot);
  const given = args.map((arg) => evaluate(arg, values, dot));
  const words = (value) => string(value).split(/\s+/).filter(Boolean);
  switch (name) {
    case "true": return true;
    case "false": return false;
    case "not": return !boolean(given[0]);
    case "selected": return words(given[0]).includes(string(given[1]).trim());
    case "count-selected": return words(given[0]).length;
    case "string-length": return string(given[0]).length;
    case "number": return number(given[0]);
    case "string": return string(given[0]);
    case "coalesce": return string(given[0]) !== "" ? given[0] : given[1];
    default: break;
  }
  const numbers = given.map(number);
  if (name === "round") return round(...numbers);
  if (name === "abs") return Math.abs(numbers[0]);
  return name === "min" ? Math.min(...numbers) : Math.max(...numbers);
}

/** Does the condition text hold for these answers? (A blank condition always holds.) */
export function holds(text, values, dot = null) {
  if (!text || !text.trim()) return true;
  return boolean(evaluate(parse(text), values, dot));
}

/** Which keys are relevant: `conditions` is [[key, text, sectionKey|null], ...] in form
 * order; an item in a section that is not relevant is not relevant, and a key that is not
 * relevant reads as blank in the conditions after it (as on the server). */
export function relevance(conditions, values) {
  const seen = { ...values };
  const result = {};
  for (const [key, text, parent] of conditions) {
    const shown = (parent === null || parent === undefined || result[parent] !== false) && holds(text, seen);
    result[key] = shown;
    if (!shown) seen[key] = null;
  }
  return result;
}
