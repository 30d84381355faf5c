//! Sizes and durations on the command line: `64MiB`, `1G`, `4096`; `1s`, `500ms`, `2m`.

use std::time::Duration;

use anyhow::{Result, bail};

/// A size in bytes: a number with an optional unit `K`, `M`, `G` (powers of 1024; `KiB`,
/// `KB` and so on mean the same), or none for bytes.
pub fn parse_size(s: &str) -> Result<u64> {
    let t = s.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '_')
        .unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits.replace('_', "").parse().map_err(|_| {
        anyhow::anyhow!("`{s}` is not a size: expected a number with an optional unit (K, M, G)")
    })?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        other => bail!("`{s}`: unknown size unit `{other}` (use K, M or G)"),
    };
    n.checked_mul(1u64 << shift)
        .ok_or_else(|| anyhow::anyhow!("`{s}` is too large"))
}

/// A duration: a number (decimals allowed) with a unit `ms`, `s`, `m` or `h`; seconds when
/// there is none.
pub fn parse_duration(s: &str) -> Result<Duration> {
    let t = s.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let n: f64 = number
        .parse()
        .map_err(|_| anyhow::anyhow!("`{s}` is not a duration: expected e.g. 1s, 500ms, 2m"))?;
    let seconds = match unit.trim() {
        "ms" => n / 1000.0,
        "" | "s" => n,
        "m" | "min" => n * 60.0,
        "h" => n * 3600.0,
        other => bail!("`{s}`: unknown duration unit `{other}` (use ms, s, m or h)"),
    };
    Duration::try_from_secs_f64(seconds)
        .map_err(|_| anyhow::anyhow!("`{s}` is not a usable duration"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("4096").unwrap(), 4096);
        assert_eq!(parse_size("64MiB").unwrap(), 64 << 20);
        assert_eq!(parse_size("1G").unwrap(), 1 << 30);
        assert_eq!(parse_size("512k").unwrap(), 512 << 10);
        assert!(parse_size("lots").is_err());
        assert!(parse_size("5X").is_err());
        assert!(parse_size("99999999999T").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("1s").unwrap(), Duration::from_secs(1));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("1.5").unwrap(), Duration::from_millis(1500));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("3days").is_err());
    }
}
