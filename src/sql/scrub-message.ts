/**
 * Database error messages can echo the values of the statement that failed (MySQL's
 * `Duplicate entry 'a@b.c'`, its syntax errors' `near '...'`, PostgreSQL's `invalid input
 * syntax for type integer: "x"`). Before such a message is stored, every quoted part becomes
 * `?`; an identifier in quotes goes with it, the price of never storing a value.
 */
const QUOTED = /'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*"|`(?:[^`]|``)*`/g;
/** MySQL quotes the rest of the statement after a syntax error, quotes and all. */
const MYSQL_NEAR = /near '[\s\S]*' at line (\d+)/g;

/** The message with every single-, double- or back-quoted part replaced by `?`. */
export function scrubDatabaseMessage(message: string): string {
  return message.replace(MYSQL_NEAR, 'near ? at line $1').replace(QUOTED, '?');
}
