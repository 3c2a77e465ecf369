//! A recursive-descent parser for the Python literals found in the Kaggle cells
//! (`[{'id': 16, 'name': 'Animation'}]`, `None`, `"Ellis Boyd 'Red' Redding"`).
//!
//! The cells are `repr()` output, not JSON, so quote swapping corrupts names that
//! contain apostrophes; a real parser is the only safe way in.

use std::fmt;

/// A parsed Python literal.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Value>),
    Dict(Vec<(Value, Value)>),
}

impl Value {
    /// Looks a key up in a dict with string keys; `None` for anything else.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Dict(entries) => entries.iter().find_map(|(k, v)| match k {
                Value::Str(s) if s == key => Some(v),
                _ => None,
            }),
            _ => None,
        }
    }

    /// An integer view: ints, and floats that hold a whole number.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
            Value::Bool(b) => Some(*b as i64),
            _ => None,
        }
    }

    /// A string view: strings as they are, numbers printed the Python way.
    pub fn as_string(&self) -> Option<String> {
        match self {
            Value::Str(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            _ => None,
        }
    }
}

/// Where and why a cell failed to parse.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    /// Character offset in the cell.
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at character {}", self.message, self.offset)
    }
}

impl std::error::Error for ParseError {}

/// Deep nesting is never legitimate in these files; the cap keeps hostile input
/// from overflowing the stack.
const MAX_DEPTH: usize = 64;

/// Parses one complete literal; trailing text other than whitespace is an error.
pub fn parse(text: &str) -> Result<Value, ParseError> {
    let mut parser = Parser { text, byte: 0, pos: 0, depth: 0 };
    parser.skip_whitespace();
    let value = parser.value()?;
    parser.skip_whitespace();
    if parser.byte < parser.text.len() {
        return Err(parser.error("unexpected text after the literal"));
    }
    Ok(value)
}

/// Reads the text in place: a cell's characters are never copied out (a vector of
/// them took 16 bytes a character, for every cast and crew cell of the credits).
struct Parser<'t> {
    text: &'t str,
    /// Where the parser is, in bytes (for reading) and in characters (for messages).
    byte: usize,
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.text[self.byte..].chars().next()
    }

    /// Steps over the character `peek` returns.
    fn bump(&mut self) {
        if let Some(c) = self.peek() {
            self.byte += c.len_utf8();
            self.pos += 1;
        }
    }

    fn mark(&self) -> (usize, usize) {
        (self.byte, self.pos)
    }

    fn back_to(&mut self, (byte, pos): (usize, usize)) {
        (self.byte, self.pos) = (byte, pos);
    }

    fn error(&self, message: &str) -> ParseError {
        ParseError { offset: self.pos, message: message.to_string() }
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(c) if c.is_whitespace()) {
            self.bump();
        }
    }

    fn expect(&mut self, wanted: char) -> Result<(), ParseError> {
        self.skip_whitespace();
        match self.peek() {
            Some(c) if c == wanted => {
                self.bump();
                Ok(())
            }
            Some(c) => Err(self.error(&format!("expected '{wanted}', found '{c}'"))),
            None => Err(self.error(&format!("expected '{wanted}', found the end"))),
        }
    }

    fn value(&mut self) -> Result<Value, ParseError> {
        self.skip_whitespace();
        match self.peek() {
            None => Err(self.error("expected a value, found the end")),
            Some('[') => self.sequence('[', ']').map(Value::List),
            Some('(') => self.sequence('(', ')').map(Value::List),
            Some('{') => self.dict(),
            Some('\'') | Some('"') => self.string().map(Value::Str),
            Some(c) if c == '-' || c == '+' || c == '.' || c.is_ascii_digit() => self.number(),
            Some(c) if c.is_alphabetic() => self.word(),
            Some(c) => Err(self.error(&format!("unexpected character '{c}'"))),
        }
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("nesting too deep"));
        }
        Ok(())
    }

    /// `[a, b, ...]` or `(a, b, ...)`, with an optional trailing comma.
    fn sequence(&mut self, open: char, close: char) -> Result<Vec<Value>, ParseError> {
        self.enter()?;
        self.expect(open)?;
        let mut items = Vec::new();
        loop {
            self.skip_whitespace();
            if self.peek() == Some(close) {
                self.bump();
                break;
            }
            items.push(self.value()?);
            self.skip_whitespace();
            match self.peek() {
                Some(',') => self.bump(),
                Some(c) if c == close => {
                    self.bump();
                    break;
                }
                Some(c) => return Err(self.error(&format!("expected ',' or '{close}', found '{c}'"))),
                None => return Err(self.error(&format!("unclosed '{open}'"))),
            }
        }
        self.depth -= 1;
        Ok(items)
    }

    fn dict(&mut self) -> Result<Value, ParseError> {
        self.enter()?;
        self.expect('{')?;
        let mut entries = Vec::new();
        loop {
            self.skip_whitespace();
            if self.peek() == Some('}') {
                self.bump();
                break;
            }
            let key = self.value()?;
            self.expect(':')?;
            let value = self.value()?;
            entries.push((key, value));
            self.skip_whitespace();
            match self.peek() {
                Some(',') => self.bump(),
                Some('}') => {
                    self.bump();
                    break;
                }
                Some(c) => return Err(self.error(&format!("expected ',' or '}}', found '{c}'"))),
                None => return Err(self.error("unclosed '{'")),
            }
        }
        self.depth -= 1;
        Ok(Value::Dict(entries))
    }

    /// A quoted string in either quote style, with Python's backslash escapes.
    fn string(&mut self) -> Result<String, ParseError> {
        let quote = self.peek().ok_or_else(|| self.error("expected a string"))?;
        let start = self.mark();
        self.bump();
        let mut out = String::new();
        loop {
            // Plain text up to the next quote or backslash (both ASCII, so never inside
            // a multi-byte character) is copied as one piece.
            let rest = &self.text[self.byte..];
            let run = rest.bytes().position(|b| b == quote as u8 || b == b'\\').unwrap_or(rest.len());
            if run > 0 {
                let piece = &rest[..run];
                out.push_str(piece);
                self.byte += run;
                self.pos += piece.chars().count();
            }
            let Some(c) = self.peek() else {
                self.back_to(start);
                return Err(self.error("unterminated string"));
            };
            self.bump();
            match c {
                c if c == quote => return Ok(out),
                '\\' => self.escape(&mut out)?,
                c => out.push(c),
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), ParseError> {
        let Some(c) = self.peek() else {
            return Err(self.error("unterminated escape"));
        };
        self.bump();
        match c {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            '0' => out.push('\0'),
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'v' => out.push('\u{b}'),
            '\\' | '\'' | '"' => out.push(c),
            '\n' => {}
            'x' => out.push(self.hex_char(2)?),
            'u' => out.push(self.hex_char(4)?),
            'U' => out.push(self.hex_char(8)?),
            // Python keeps unknown escapes as they are, backslash included.
            other => {
                out.push('\\');
                out.push(other);
            }
        }
        Ok(())
    }

    fn hex_char(&mut self, digits: usize) -> Result<char, ParseError> {
        let mut code: u32 = 0;
        for _ in 0..digits {
            let d = self.peek().and_then(|c| c.to_digit(16)).ok_or_else(|| self.error("bad hexadecimal escape"))?;
            code = code * 16 + d;
            self.bump();
        }
        char::from_u32(code).ok_or_else(|| self.error("escape is not a valid character"))
    }

    fn number(&mut self) -> Result<Value, ParseError> {
        let start = self.mark();
        while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '.' | '_')) {
            self.bump();
        }
        let text: String = self.text[start.0..self.byte].chars().filter(|&c| c != '_').collect();
        if let Ok(i) = text.parse::<i64>() {
            return Ok(Value::Int(i));
        }
        let looks_numeric = text.chars().all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E'));
        match text.parse::<f64>() {
            Ok(f) if looks_numeric => Ok(Value::Float(f)),
            _ => {
                self.back_to(start);
                Err(self.error(&format!("'{text}' is not a number")))
            }
        }
    }

    fn word(&mut self) -> Result<Value, ParseError> {
        let start = self.mark();
        while matches!(self.peek(), Some(c) if c.is_alphanumeric() || c == '_') {
            self.bump();
        }
        let word: &str = &self.text[start.0..self.byte];
        match word {
            "None" => Ok(Value::None),
            "True" => Ok(Value::Bool(true)),
            "False" => Ok(Value::Bool(false)),
            "nan" | "NaN" => Ok(Value::Float(f64::NAN)),
            _ => {
                self.back_to(start);
                Err(self.error(&format!("unknown name '{word}'")))
            }
        }
    }
}

/// Writes a value back the way Python's `repr()` does (as the Kaggle files hold it).
pub fn to_repr(value: &Value) -> String {
    let mut out = String::new();
    write_repr(value, &mut out);
    out
}

fn write_repr(value: &Value, out: &mut String) {
    match value {
        Value::None => out.push_str("None"),
        Value::Bool(true) => out.push_str("True"),
        Value::Bool(false) => out.push_str("False"),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(f) if f.is_nan() => out.push_str("nan"),
        // Python writes inf, which is not a literal; 1e999 reads back as infinity.
        Value::Float(f) if f.is_infinite() => out.push_str(if *f > 0.0 { "1e999" } else { "-1e999" }),
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 1e16 => out.push_str(&format!("{f:.1}")),
        Value::Float(f) => out.push_str(&f.to_string()),
        Value::Str(s) => write_str_repr(s, out),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_repr(item, out);
            }
            out.push(']');
        }
        Value::Dict(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_repr(k, out);
                out.push_str(": ");
                write_repr(v, out);
            }
            out.push('}');
        }
    }
}

/// Python picks double quotes only when the text has a ' and no ".
fn write_str_repr(s: &str, out: &mut String) {
    let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push(quote);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::Str(x.to_string())
    }

    #[test]
    fn scalars() {
        assert_eq!(parse("None").unwrap(), Value::None);
        assert_eq!(parse("True").unwrap(), Value::Bool(true));
        assert_eq!(parse("False").unwrap(), Value::Bool(false));
        assert_eq!(parse("42").unwrap(), Value::Int(42));
        assert_eq!(parse("-7").unwrap(), Value::Int(-7));
        assert_eq!(parse("2.5").unwrap(), Value::Float(2.5));
        assert_eq!(parse("1e3").unwrap(), Value::Float(1000.0));
        assert_eq!(parse("-0.25").unwrap(), Value::Float(-0.25));
        assert_eq!(parse("  7  ").unwrap(), Value::Int(7));
    }

    #[test]
    fn strings_in_both_quote_styles_with_escapes() {
        assert_eq!(parse("'Toy Story'").unwrap(), s("Toy Story"));
        assert_eq!(parse("\"Ellis Boyd 'Red' Redding\"").unwrap(), s("Ellis Boyd 'Red' Redding"));
        assert_eq!(parse(r"'It\'s'").unwrap(), s("It's"));
        assert_eq!(parse(r#""say \"hi\"""#).unwrap(), s("say \"hi\""));
        assert_eq!(parse(r"'a\\b'").unwrap(), s("a\\b"));
        assert_eq!(parse(r"'line\nbreak\ttab'").unwrap(), s("line\nbreak\ttab"));
        assert_eq!(parse(r"'\xe9t\u00e9 \U0001F600'").unwrap(), s("été 😀"));
        assert_eq!(parse("'Ørnås 日本語'").unwrap(), s("Ørnås 日本語"));
        assert_eq!(parse("''").unwrap(), s(""));
        assert_eq!(parse(r"'\d'").unwrap(), s("\\d"));
    }

    #[test]
    fn lists_dicts_and_tuples() {
        assert_eq!(parse("[]").unwrap(), Value::List(vec![]));
        assert_eq!(parse("{}").unwrap(), Value::Dict(vec![]));
        assert_eq!(parse("[1, 2,]").unwrap(), Value::List(vec![Value::Int(1), Value::Int(2)]));
        assert_eq!(parse("(1, 'a')").unwrap(), Value::List(vec![Value::Int(1), s("a")]));
        let v = parse("[{'id': 16, 'name': 'Animation'}, {'id': 35, 'name': 'Comedy'}]").unwrap();
        let Value::List(items) = &v else { panic!("not a list") };
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].get("id"), Some(&Value::Int(35)));
        assert_eq!(items[1].get("name"), Some(&s("Comedy")));
        assert_eq!(items[1].get("missing"), None);
    }

    #[test]
    fn a_real_cast_entry() {
        let cell = "[{'cast_id': 1, 'character': \"Ellis Boyd 'Red' Redding\", 'credit_id': '52fe4231c3a36847f800b153', 'gender': 2, 'id': 192, 'name': 'Morgan Freeman', 'order': 1, 'profile_path': None}]";
        let Value::List(items) = parse(cell).unwrap() else { panic!() };
        assert_eq!(items[0].get("character"), Some(&s("Ellis Boyd 'Red' Redding")));
        assert_eq!(items[0].get("profile_path"), Some(&Value::None));
        assert_eq!(items[0].get("order").and_then(Value::as_i64), Some(1));
    }

    #[test]
    fn malformed_inputs_are_errors_not_panics() {
        for bad in [
            "",
            "[",
            "]",
            "[1, 2",
            "{'a': 1",
            "{'a' 1}",
            "{'a': }",
            "'open",
            "\"open",
            "[1 2]",
            "nul",
            "Nonesuch",
            "1.2.3",
            "--",
            "'\\x4'",
            "'\\u12'",
            "'\\",
            "[}",
            "{'a': 1]",
            "@",
            "[1,,2]",
            "'a' 'b'",
            "{1: 2,,}",
            "'\\U00110000'",
            "1e",
            "+",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should fail");
        }
    }

    #[test]
    fn error_reports_position() {
        let err = parse("[1, 2 3]").unwrap_err();
        assert_eq!(err.offset, 6);
        assert!(err.to_string().contains("expected ','"), "{err}");
        // Offsets count characters, not bytes, past multi-byte text and escapes.
        let err = parse("['é日\\x41', x]").unwrap_err();
        assert_eq!((err.offset, err.message.as_str()), (11, "unknown name 'x'"));
        let err = parse("'Zoë").unwrap_err();
        assert_eq!((err.offset, err.message.as_str()), (0, "unterminated string"));
        assert_eq!(
            parse("['Zoë \\'Z\\' 日本', 'b']").unwrap(),
            Value::List(vec![Value::Str("Zoë 'Z' 日本".into()), Value::Str("b".into())])
        );
    }

    #[test]
    fn deep_nesting_is_refused() {
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        assert!(parse(&deep).is_err());
        let ok = "[".repeat(50) + &"]".repeat(50);
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn repr_writes_what_python_writes_and_parses_back() {
        let cell = "[{'cast_id': 1, 'character': \"Ellis Boyd 'Red' Redding\", 'gender': None, 'ok': True, 'x': 2.5, 'y': 3.0}]";
        let value = parse(cell).unwrap();
        assert_eq!(to_repr(&value), cell);
        for v in [Value::Float(f64::INFINITY), Value::Float(f64::NEG_INFINITY), Value::Float(-0.0), Value::Float(1e300)] {
            assert_eq!(parse(&to_repr(&v)).unwrap(), v);
        }
        for text in ["it's \"quoted\"", "back\\slash", "tab\there\nnew", "plain", "'", "\"", "日本語"] {
            let v = Value::Str(text.to_string());
            assert_eq!(parse(&to_repr(&v)).unwrap(), v, "{text:?} -> {}", to_repr(&v));
        }
    }

    #[test]
    fn never_panics_on_arbitrary_prefixes() {
        let cell =
            "[{'cast_id': 14, 'character': \"Woody's (voice)\", 'gender': None, 'x': [1.5, -2, True, (3,)], 'name': 'Tom \\'T\\' Hanks'}]";
        assert!(parse(cell).is_ok());
        for (i, _) in cell.char_indices() {
            let _ = parse(&cell[..i]);
            let _ = parse(&cell[i..]);
        }
    }
}
