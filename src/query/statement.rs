//! What `query` accepts: one read-only statement (DESIGN.md, "Nothing
//! fails silently").
//!
//! A user's `.sql` file runs on the user's machine with the user's rights,
//! and DataFusion's SQL can write (`COPY … TO`, `INSERT`) and read any
//! file (`CREATE EXTERNAL TABLE`). An analyst's query never needs either,
//! and a query file passed around must not be able to, so the text is
//! parsed before it reaches the engine and anything but a query (`SELECT`,
//! `WITH`, `VALUES`, or `EXPLAIN` of one) is refused as a usage error.
//!
//! The check parses with DataFusion's own parser and dialect, so what it
//! accepts is what the engine runs; a syntax error is reported here,
//! naming the file, before the lake is even opened.
//!
//! Runaway SQL is refused with a message before it can overflow the
//! stack: text over [`MAX_SQL_BYTES`] unread; nesting past the parser's
//! limit (DataFusion's default, 50 levels: parentheses, `NOT NOT …`,
//! nested calls) by the parser; and a chain of infix operators
//! (`1 + 1 + …`, `a OR b OR …`), which the parser builds without
//! recursing but every later stage walks recursively, by [`chain_depth`]
//! against [`MAX_CHAIN_DEPTH`]. (DataFusion's `recursive_protection`
//! feature was tried and left off: it grows the stack in its planner's own
//! recursion, but not in the derived `Clone` and `Drop` of an expression
//! tree, which is where a 20,000-term sum overflowed; and it brings four
//! crates and a C build step.)

use datafusion::sql::parser::{DFParser, Statement as DfStatement};
use datafusion::sql::sqlparser::ast::Statement;
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::keywords::Keyword;
use datafusion::sql::sqlparser::tokenizer::{Token, Tokenizer};

use super::QueryError;

/// The longest SQL `query` takes: 256 KiB, a hundred times the longest
/// file of `queries/`.
pub const MAX_SQL_BYTES: usize = 256 * 1024;

/// The deepest chain of infix operators `query` takes (see
/// [`chain_depth`]): a debug build plans 1,000 on an 8 MiB stack; the
/// files of `queries/` need under 20.
pub const MAX_CHAIN_DEPTH: usize = 256;

/// Checks that `sql` is one query; `name` is the query or file, for
/// messages.
pub fn check(name: &str, sql: &str) -> Result<(), QueryError> {
    let runaway = |what: String| QueryError::Runaway {
        name: name.to_owned(),
        what,
    };
    if sql.len() > MAX_SQL_BYTES {
        return Err(runaway(format!(
            "{} bytes of SQL, over the limit of {MAX_SQL_BYTES}",
            sql.len()
        )));
    }
    let statements = DFParser::parse_sql(sql).map_err(|source| QueryError::Run {
        name: name.to_owned(),
        source,
    })?;
    // It parsed, so it also tokenizes.
    let depth = chain_depth(sql).unwrap_or(0);
    if depth > MAX_CHAIN_DEPTH {
        return Err(runaway(format!(
            "an expression chains {depth} operators deep, over the limit of {MAX_CHAIN_DEPTH}; split it (a WITH clause, or several columns)"
        )));
    }
    let refuse = |what: String| QueryError::NotReadOnly {
        name: name.to_owned(),
        what,
    };
    let mut statements = statements.into_iter();
    let Some(first) = statements.next() else {
        return Err(refuse("no statement".into()));
    };
    if statements.next().is_some() {
        return Err(refuse("more than one statement".into()));
    }
    match refusal(&first) {
        None => Ok(()),
        Some(what) => Err(refuse(what)),
    }
}

/// What makes a statement not a read-only query (`None`: it is one).
fn refusal(statement: &DfStatement) -> Option<String> {
    match statement {
        DfStatement::Statement(s) if is_read(s) => None,
        DfStatement::Statement(s) => Some(keyword(&s.to_string())),
        DfStatement::Explain(explain) => refusal(&explain.statement)
            .map(|what| format!("EXPLAIN of a statement that is not a query: {what}")),
        DfStatement::CreateExternalTable(_) => Some("CREATE EXTERNAL TABLE".into()),
        DfStatement::CopyTo(_) => Some("COPY".into()),
        DfStatement::Reset(_) => Some("RESET".into()),
    }
}

/// An upper bound of how deep the parser's tree of infix operators goes,
/// from the tokens alone (no recursion, so any input is safe to measure):
/// operators are counted per expression (a comma or clause keyword starts
/// the next), and each open parenthesis adds its own chain so far. `None`
/// when the text does not tokenize.
pub fn chain_depth(sql: &str) -> Option<usize> {
    let tokens = Tokenizer::new(&GenericDialect {}, sql).tokenize().ok()?;
    // The chain so far of each open parenthesis, outermost first.
    let mut levels: Vec<usize> = vec![0];
    let mut deepest = 0;
    for token in tokens {
        let infix = match &token {
            Token::LParen => {
                levels.push(0);
                false
            }
            Token::RParen => {
                if levels.len() > 1 {
                    levels.pop();
                }
                false
            }
            Token::Comma | Token::SemiColon => {
                *levels.last_mut()? = 0;
                false
            }
            Token::Word(w) => match w.keyword {
                Keyword::AND
                | Keyword::OR
                | Keyword::XOR
                | Keyword::LIKE
                | Keyword::ILIKE
                | Keyword::IS
                | Keyword::IN
                | Keyword::BETWEEN => true,
                Keyword::SELECT
                | Keyword::FROM
                | Keyword::WHERE
                | Keyword::GROUP
                | Keyword::HAVING
                | Keyword::ORDER
                | Keyword::LIMIT
                | Keyword::ON
                | Keyword::WHEN
                | Keyword::THEN
                | Keyword::ELSE
                | Keyword::END
                | Keyword::UNION
                | Keyword::EXCEPT
                | Keyword::INTERSECT => {
                    *levels.last_mut()? = 0;
                    false
                }
                _ => false,
            },
            Token::DoubleEq
            | Token::Eq
            | Token::Neq
            | Token::Lt
            | Token::Gt
            | Token::LtEq
            | Token::GtEq
            | Token::Spaceship
            | Token::Plus
            | Token::Minus
            | Token::Mul
            | Token::Div
            | Token::Mod
            | Token::StringConcat
            | Token::Ampersand
            | Token::Pipe
            | Token::Caret
            | Token::ShiftLeft
            | Token::ShiftRight => true,
            _ => false,
        };
        if infix {
            *levels.last_mut()? += 1;
            deepest = deepest.max(levels.iter().sum::<usize>() + levels.len() - 1);
        }
    }
    Some(deepest)
}

/// A query, or `EXPLAIN` of one.
fn is_read(s: &Statement) -> bool {
    match s {
        Statement::Query(_) => true,
        Statement::Explain { statement, .. } => is_read(statement),
        _ => false,
    }
}

/// The statement's leading keywords, for the message (`INSERT INTO`,
/// `CREATE TABLE`, `SET`).
fn keyword(text: &str) -> String {
    text.split_whitespace()
        .take_while(|w| w.chars().all(|c| c.is_ascii_alphabetic()))
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_pass() {
        for sql in [
            "SELECT 1",
            "select * from latest_albums;",
            "WITH a AS (SELECT 1 AS x) SELECT x FROM a",
            "VALUES (1), (2)",
            "EXPLAIN SELECT 1",
            "(SELECT 1) UNION ALL (SELECT 2)",
        ] {
            check("q", sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
    }

    #[test]
    fn statements_that_write_or_create_are_refused_naming_them() {
        for (sql, named) in [
            ("COPY (SELECT 1) TO '/tmp/x.csv'", "COPY"),
            (
                "CREATE EXTERNAL TABLE t STORED AS CSV LOCATION '/etc/passwd'",
                "CREATE EXTERNAL TABLE",
            ),
            ("CREATE TABLE t AS SELECT 1", "CREATE TABLE"),
            ("CREATE VIEW v AS SELECT 1", "CREATE VIEW"),
            ("INSERT INTO t VALUES (1)", "INSERT INTO"),
            ("DROP TABLE albums", "DROP TABLE"),
            ("SET datafusion.execution.batch_size = 1", "SET"),
            ("SELECT 1; SELECT 2", "more than one statement"),
            ("EXPLAIN COPY (SELECT 1) TO '/tmp/x.csv'", "EXPLAIN"),
            ("", "no statement"),
        ] {
            let err = check("evil.sql", sql).unwrap_err();
            assert!(
                matches!(err, QueryError::NotReadOnly { .. }),
                "{sql}: {err}"
            );
            let text = err.to_string();
            assert!(
                text.contains("evil.sql") && text.contains(named) && text.contains("read-only"),
                "{sql}: {text}"
            );
        }
    }

    #[test]
    fn sql_over_the_limits_is_refused_before_the_engine() {
        let sql = format!("SELECT {}1", "1 + ".repeat(MAX_SQL_BYTES / 4));
        let err = check("huge.sql", &sql).unwrap_err();
        assert!(matches!(err, QueryError::Runaway { .. }), "{err}");
        assert!(
            err.to_string().contains("huge.sql") && err.to_string().contains("bytes"),
            "{err}"
        );
        for chain in ["1 + ", "true OR ", "'a' || ", "x = "] {
            let sql = format!("SELECT {}1 FROM t", chain.repeat(20_000));
            let err = check("long.sql", &sql).unwrap_err();
            assert!(
                err.to_string().contains("20000 operators deep"),
                "{chain}: {err}"
            );
        }
        let at_limit = format!("SELECT {}1", "1 + ".repeat(MAX_CHAIN_DEPTH));
        check("ok.sql", &at_limit).unwrap();
        let nested = format!("SELECT {}1{}", "(1 + ".repeat(20), ")".repeat(20));
        assert_eq!(chain_depth(&nested), Some(40));
    }

    #[test]
    fn every_shipped_query_is_far_from_the_chain_limit() {
        let views = crate::sql::VIEWS.iter().map(|v| v.file);
        for file in crate::sql::QUERIES.iter().copied().chain(views) {
            let depth = chain_depth(file.sql).unwrap();
            assert!(depth < 32, "{}: {depth}", file.name);
            check(file.name, file.sql).unwrap();
        }
    }

    #[test]
    fn nesting_past_the_parsers_limit_is_a_message() {
        let sql = format!("SELECT {}1{}", "(".repeat(5_000), ")".repeat(5_000));
        let err = check("deep.sql", &sql).unwrap_err();
        assert!(matches!(err, QueryError::Run { .. }), "{err}");
        let text = crate::error_chain(&err);
        assert!(
            text.contains("deep.sql") && text.contains("recursion"),
            "{text}"
        );
    }

    #[test]
    fn a_syntax_error_names_the_query() {
        let err = check("broken.sql", "SELEC 1").unwrap_err();
        assert!(matches!(err, QueryError::Run { .. }));
        assert!(err.to_string().contains("broken.sql"), "{err}");
    }
}
