//! Pathological inputs finish: long lines of spaces, brackets or one character never go quadratic
//! (a regression suite; the timing figures themselves live in the benches).

use kanwu_core::{analyze, Config};

fn check(text: &str) -> usize {
    analyze(text, &Config::with_defaults()).len()
}

#[test]
fn one_long_line_of_spaces_between_characters() {
    let text = "两 ".repeat(200_000);
    assert!(check(&text) > 0);
}

#[test]
fn one_long_line_of_spaces() {
    let text = format!("村民说，甲{}乙。", " ".repeat(1_000_000));
    assert_eq!(check(&text), 1, "one run of spaces is one diagnostic");
}

#[test]
fn one_long_line_of_han_and_brackets() {
    let text = "党（员“中".repeat(100_000);
    let _ = check(&text);
}
