/**
 * Just enough of Python's pickle format for PigPig's `.mapping` files: dicts, lists, tuples, str,
 * int, float, bool and None. The writer emits protocol 2 (readable by every Python 3); the reader
 * also takes protocols 3–5 as Python writes them by default. Anything that could run code
 * (GLOBAL, REDUCE, ...) is refused. The parts live in pickle/ (opcodes, writer, reader).
 */
export {PickleFormatError, type PickleKey, type PickleValue} from './pickle/opcodes.js';
export {dumpPickle} from './pickle/write.js';
export {loadPickle} from './pickle/read.js';
