// The SQL normaliser on a corpus of tricky statements: each row is input, dialect, and the
// template, operation and collection a reader expects. Then properties over the corpus: the
// same statement with other values gives the same template, and no literal survives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_SQL_LENGTH, normalizeSql, querySpanName, summarizeSql, type SqlDialect } from '../dist/sql/normalize';
import { scrubDatabaseMessage } from '../dist/sql/scrub-message';

interface Case {
  sql: string;
  dialect: SqlDialect;
  text: string;
  operation?: string;
  collection?: string;
}

const CORPUS: Case[] = [
  { sql: "SELECT * FROM users WHERE id = 42 AND name = 'bob'", dialect: 'postgresql', text: 'SELECT * FROM users WHERE id = ? AND name = ?', operation: 'SELECT', collection: 'users' },
  { sql: "SELECT * FROM t WHERE a = 'it''s' AND b = 'x'", dialect: 'postgresql', text: 'SELECT * FROM t WHERE a = ? AND b = ?', operation: 'SELECT', collection: 't' },
  // PostgreSQL: a backslash is an ordinary character in '...', an escape only in E'...'.
  { sql: "SELECT 'C:\\' AS path, E'it\\'s' AS e, e'\\n' FROM t", dialect: 'postgresql', text: 'SELECT ? AS path, ? AS e, ? FROM t', operation: 'SELECT', collection: 't' },
  // MySQL: a backslash escapes in both quote styles, and "..." is a string.
  { sql: "UPDATE users SET bio = 'don\\'t', nick = \"say \\\"hi\\\"\" WHERE id = 7", dialect: 'mysql', text: 'UPDATE users SET bio = ?, nick = ? WHERE id = ?', operation: 'UPDATE', collection: 'users' },
  // PostgreSQL: "..." is a name and stays.
  { sql: 'SELECT "User"."id" FROM "public"."User" WHERE "User"."email" = $1', dialect: 'postgresql', text: 'SELECT "User"."id" FROM "public"."User" WHERE "User"."email" = $1', operation: 'SELECT', collection: 'public.User' },
  { sql: 'SELECT `id` FROM `shop`.`orders` WHERE `total` > 99.5', dialect: 'mysql', text: 'SELECT `id` FROM `shop`.`orders` WHERE `total` > ?', operation: 'SELECT', collection: 'shop.orders' },
  // Dollar quoting, with and without a tag, next to $n placeholders.
  { sql: 'SELECT $$a \'quoted\' $1$$, $fn$ body; $$ nested $fn$, $2 FROM t', dialect: 'postgresql', text: 'SELECT ?, ?, $2 FROM t', operation: 'SELECT', collection: 't' },
  // Comments go, including nested block comments (PostgreSQL) and # (MySQL).
  { sql: "SELECT a -- the 'secret' column\nFROM t /* outer /* inner 'x' */ still comment */ WHERE b = 1", dialect: 'postgresql', text: 'SELECT a FROM t WHERE b = ?', operation: 'SELECT', collection: 't' },
  { sql: "SELECT a FROM t # owner's note\nWHERE b = 'x'", dialect: 'mysql', text: 'SELECT a FROM t WHERE b = ?', operation: 'SELECT', collection: 't' },
  // Numbers of every shape, signs where an operand is expected, arithmetic kept.
  { sql: 'SELECT 1, -2, +3, 4.5, .5, 1e10, 2.5E-3, 0x1F, a-1, b - 2, c*-3 FROM t', dialect: 'mysql', text: 'SELECT ?, ?, +?, ?, ?, ?, ?, ?, a-?, b - ?, c*? FROM t', operation: 'SELECT', collection: 't' },
  // Names with digits are not numbers.
  { sql: 'SELECT col1, t2.x3 FROM table4 t2', dialect: 'postgresql', text: 'SELECT col1, t2.x3 FROM table4 t2', operation: 'SELECT', collection: 'table4' },
  { sql: "SELECT * FROM t WHERE flag = TRUE AND other = false AND x IS NULL", dialect: 'postgresql', text: 'SELECT * FROM t WHERE flag = ? AND other = ? AND x IS NULL', operation: 'SELECT', collection: 't' },
  // Typed, bit and hex strings.
  { sql: "SELECT B'1010', X'FF', N'name', U&'d\\0061t' FROM t", dialect: 'postgresql', text: 'SELECT ?, ?, ?, ? FROM t', operation: 'SELECT', collection: 't' },
  { sql: "SELECT _utf8mb4'abc', x'4D' FROM t", dialect: 'mysql', text: 'SELECT ?, ? FROM t', operation: 'SELECT', collection: 't' },
  // Casts stay.
  { sql: "SELECT '2024-01-01'::date, count(*)::int FROM t", dialect: 'postgresql', text: 'SELECT ?::date, count(*)::int FROM t', operation: 'SELECT', collection: 't' },
  // IN lists collapse, whatever their length or contents; subqueries stay.
  { sql: 'SELECT * FROM t WHERE id IN (1, 2, 3, 4)', dialect: 'postgresql', text: 'SELECT * FROM t WHERE id IN (?)', operation: 'SELECT', collection: 't' },
  { sql: "SELECT * FROM t WHERE id IN ('a','b') AND x in ( $1 , $2 )", dialect: 'postgresql', text: 'SELECT * FROM t WHERE id IN (?) AND x in (?)', operation: 'SELECT', collection: 't' },
  { sql: 'SELECT * FROM t WHERE (a, b) IN ((1, 2), (3, 4), (5, 6))', dialect: 'mysql', text: 'SELECT * FROM t WHERE (a, b) IN (?)', operation: 'SELECT', collection: 't' },
  { sql: 'SELECT * FROM t WHERE id IN (SELECT uid FROM u WHERE age > 30)', dialect: 'postgresql', text: 'SELECT * FROM t WHERE id IN (SELECT uid FROM u WHERE age > ?)', operation: 'SELECT', collection: 't' },
  { sql: 'SELECT * FROM t WHERE id NOT IN (1,2) AND f(IN_x) = 1', dialect: 'postgresql', text: 'SELECT * FROM t WHERE id NOT IN (?) AND f(IN_x) = ?', operation: 'SELECT', collection: 't' },
  // VALUES keeps its first row.
  { sql: "INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y'), (3, 'z')", dialect: 'postgresql', text: 'INSERT INTO t (a, b) VALUES (?, ?)', operation: 'INSERT', collection: 't' },
  { sql: "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) RETURNING id", dialect: 'postgresql', text: 'INSERT INTO t (a, b) VALUES ($1, $2) RETURNING id', operation: 'INSERT', collection: 't' },
  { sql: "INSERT INTO t VALUES (1, 'a,(b)'), (2, f(3, 4)) ON DUPLICATE KEY UPDATE b = 'c'", dialect: 'mysql', text: 'INSERT INTO t VALUES (?, ?) ON DUPLICATE KEY UPDATE b = ?', operation: 'INSERT', collection: 't' },
  // Nested parentheses and functions.
  { sql: "SELECT coalesce(max(a), (SELECT min(b) FROM u WHERE c = 'd')) FROM t", dialect: 'postgresql', text: 'SELECT coalesce(max(a), (SELECT min(b) FROM u WHERE c = ?)) FROM t', operation: 'SELECT', collection: 't' },
  // CTEs: the operation is the main statement's, the collection its target.
  { sql: 'WITH recent AS (SELECT * FROM orders WHERE ts > 5) DELETE FROM carts WHERE id IN (SELECT cart FROM recent)', dialect: 'postgresql', text: 'WITH recent AS (SELECT * FROM orders WHERE ts > ?) DELETE FROM carts WHERE id IN (SELECT cart FROM recent)', operation: 'DELETE', collection: 'carts' },
  // Multi-statement text: every statement is normalised, the first names the span.
  { sql: "BEGIN; UPDATE a SET x = 1; INSERT INTO b VALUES ('y'); COMMIT;", dialect: 'postgresql', text: 'BEGIN; UPDATE a SET x = ?; INSERT INTO b VALUES (?); COMMIT;', operation: 'BEGIN' },
  { sql: 'UPDATE ONLY accounts SET n = n + 1', dialect: 'postgresql', text: 'UPDATE ONLY accounts SET n = n + ?', operation: 'UPDATE', collection: 'accounts' },
  { sql: 'DELETE FROM sessions WHERE expires < now()', dialect: 'postgresql', text: 'DELETE FROM sessions WHERE expires < now()', operation: 'DELETE', collection: 'sessions' },
  { sql: 'select a from t join u on t.id = u.tid where u.z = 5', dialect: 'postgresql', text: 'select a from t join u on t.id = u.tid where u.z = ?', operation: 'SELECT', collection: 't' },
  { sql: 'SELECT 1', dialect: 'postgresql', text: 'SELECT ?', operation: 'SELECT' },
  // Whitespace folds; placeholders of every style stay.
  { sql: '  SELECT\n\t a ,\r\n b\n FROM   t WHERE a = ? AND b = :name AND c = @var  ', dialect: 'mysql', text: 'SELECT a , b FROM t WHERE a = ? AND b = :name AND c = @var', operation: 'SELECT', collection: 't' },
  // Unterminated literals still go.
  { sql: "SELECT * FROM t WHERE a = 'never closed", dialect: 'postgresql', text: 'SELECT * FROM t WHERE a = ?', operation: 'SELECT', collection: 't' },
  { sql: 'SELECT $q$ unterminated', dialect: 'postgresql', text: 'SELECT ?', operation: 'SELECT' },
];

test('every statement of the corpus gives the expected template, operation and collection', () => {
  for (const c of CORPUS) {
    const got = normalizeSql(c.sql, c.dialect);
    assert.equal(got.text, c.text, c.sql);
    assert.equal(got.operation, c.operation, `operation of ${c.sql}`);
    assert.equal(got.collection, c.collection, `collection of ${c.sql}`);
  }
});

test('the same statement with other values gives the same template', () => {
  const pairs: [string, string, SqlDialect][] = [
    ["SELECT * FROM t WHERE id = 1 AND n = 'a'", "SELECT * FROM t WHERE id = 98765 AND n = 'it''s a longer one'", 'postgresql'],
    ['SELECT * FROM t WHERE id IN (1)', 'SELECT * FROM t WHERE id IN (1, 2, 3, 4, 5, 6, 7)', 'postgresql'],
    ["INSERT INTO t VALUES (1, 'a')", "INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')", 'mysql'],
    ["SELECT * FROM t WHERE a = 'x' -- one", "SELECT  *  FROM t\nWHERE a = \"y\" -- two", 'mysql'],
    ['SELECT * FROM t WHERE a = -1.5', 'SELECT * FROM t WHERE a = 2', 'postgresql'],
  ];
  for (const [a, b, dialect] of pairs) assert.equal(normalizeSql(a, dialect).text, normalizeSql(b, dialect).text, `${a} vs ${b}`);
});

test('no literal of the corpus survives normalisation', () => {
  // Every quoted literal and every number of the inputs, searched for in the templates.
  for (const c of CORPUS) {
    const text = normalizeSql(c.sql, c.dialect).text;
    for (const secret of ['secret', 'bob', "it's", 'C:\\', 'don', 'say', 'a,(b)', '2024-01-01', 'never closed', 'body', '1010', '98765', '99.5', 'owner']) {
      assert.ok(!text.includes(secret), `"${secret}" survived in ${text}`);
    }
  }
});

test('very long text is cut before normalising, and a literal across the cut still goes', () => {
  const sql = `SELECT * FROM t WHERE a = '${'x'.repeat(MAX_SQL_LENGTH)}' AND b = 'tail-secret'`;
  const got = normalizeSql(sql, 'postgresql');
  assert.equal(got.text, 'SELECT * FROM t WHERE a = ? ...');
  assert.equal(got.collection, 't');
});

test('the cache answers repeated texts with the same summary and stays bounded', () => {
  const a = summarizeSql('SELECT * FROM cached WHERE id = $1', 'postgresql');
  assert.equal(summarizeSql('SELECT * FROM cached WHERE id = $1', 'postgresql'), a);
  for (let i = 0; i < 5000; i++) summarizeSql(`SELECT ${i} FROM t${i}`, 'mysql');
  assert.equal(summarizeSql('SELECT 4999 FROM t4999', 'mysql').text, 'SELECT ? FROM t4999');
});

test('span names: operation and collection, operation alone, or the system', () => {
  assert.equal(querySpanName(normalizeSql('SELECT * FROM users', 'postgresql'), 'postgresql'), 'SELECT users');
  assert.equal(querySpanName(normalizeSql('BEGIN', 'postgresql'), 'postgresql'), 'BEGIN');
  assert.equal(querySpanName(normalizeSql('  -- only a comment', 'postgresql'), 'postgresql'), 'postgresql');
});

test('database error messages lose every quoted part, MySQL syntax errors included', () => {
  assert.equal(scrubDatabaseMessage("Duplicate entry 'a@b.c' for key 'PRIMARY'"), 'Duplicate entry ? for key ?');
  assert.equal(scrubDatabaseMessage('invalid input syntax for type integer: "4111-1111"'), 'invalid input syntax for type integer: ?');
  assert.equal(
    scrubDatabaseMessage("You have an error in your SQL syntax; check the manual near 'x = 'pw'' at line 1"),
    'You have an error in your SQL syntax; check the manual near ? at line 1',
  );
  assert.equal(scrubDatabaseMessage("Table 'test.t' doesn't exist"), "Table ? doesn't exist");
});
