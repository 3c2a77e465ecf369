//! Numbers as readers expect them. The answers' sentences print them as the
//! assignment's Python API did (no thousands separator, a decimal point); the pages
//! print them the Spanish way (5.909; 21,95; 30.000.000 US$).

/// A whole number as Python prints it: 5909.
pub fn plain_integer(v: f64) -> String {
    let text = format!("{v:.0}");
    if text == "-0" { "0".to_string() } else { text }
}

/// A number with `places` decimals and a decimal point: 21.95.
pub fn plain_decimal(v: f64, places: usize) -> String {
    format!("{v:.places$}")
}

/// A whole number with Spanish thousands separators: 5.909, 30.000.000.
pub fn spanish_integer(v: f64) -> String {
    group_thousands(&plain_integer(v), '.')
}

/// A number with `places` decimals, a decimal comma and thousands points: 1.234,57.
pub fn spanish_decimal(v: f64, places: usize) -> String {
    let fixed = plain_decimal(v, places);
    match fixed.split_once('.') {
        Some((whole, frac)) => format!("{},{frac}", group_thousands(whole, '.')),
        None => group_thousands(&fixed, '.'),
    }
}

/// An amount of US dollars on a page: 30.000.000 US$.
pub fn spanish_dollars(v: f64) -> String {
    format!("{} US$", spanish_integer(v))
}

fn group_thousands(digits: &str, separator: char) -> String {
    let (sign, digits) = digits.strip_prefix('-').map_or(("", digits), |d| ("-", d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(separator);
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_print_numbers_as_python_did() {
        assert_eq!(plain_integer(5909.0), "5909");
        assert_eq!(plain_integer(30_000_000.0), "30000000");
        assert_eq!(plain_integer(-0.2), "0");
        assert_eq!(plain_decimal(21.946, 2), "21.95");
        assert_eq!(plain_decimal(7.7, 1), "7.7");
    }

    #[test]
    fn pages_print_numbers_the_spanish_way() {
        assert_eq!(spanish_integer(5909.0), "5.909");
        assert_eq!(spanish_integer(999.0), "999");
        assert_eq!(spanish_integer(-1234567.0), "-1.234.567");
        assert_eq!(spanish_decimal(21.946, 2), "21,95");
        assert_eq!(spanish_decimal(1234.5678, 2), "1.234,57");
        assert_eq!(spanish_decimal(0.004, 2), "0,00");
        assert_eq!(spanish_decimal(1234.4, 0), "1.234");
        assert_eq!(spanish_dollars(30_000_000.0), "30.000.000 US$");
    }
}
