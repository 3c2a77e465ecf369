//! Numbers as the answers' sentences and the pages print them.

/// A whole number with thousands separators: 1,234,567.
pub fn integer(v: f64) -> String {
    group_thousands(&format!("{v:.0}"))
}

/// A number with `places` decimals and thousands separators: 1,234.57.
pub fn decimal(v: f64, places: usize) -> String {
    let fixed = format!("{v:.places$}");
    match fixed.split_once('.') {
        Some((whole, frac)) => format!("{}.{frac}", group_thousands(whole)),
        None => group_thousands(&fixed),
    }
}

fn group_thousands(digits: &str) -> String {
    let (sign, digits) = digits.strip_prefix('-').map_or(("", digits), |d| ("-", d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(integer(1234567.0), "1,234,567");
        assert_eq!(integer(-999.0), "-999");
        assert_eq!(decimal(1234.5678, 2), "1,234.57");
        assert_eq!(decimal(-1234.5, 1), "-1,234.5");
        assert_eq!(decimal(0.004, 2), "0.00");
        assert_eq!(decimal(1234.4, 0), "1,234");
    }
}
