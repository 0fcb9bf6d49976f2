//! Tests of `doubled-text`.

use super::INFO;

use crate::Diagnostic;

fn found(text: &str) -> Vec<Diagnostic> {
    super::super::test_support::found(INFO.code, text)
}

fn fixed(text: &str) -> String {
    super::super::test_support::fixed(INFO.code, text)
}

#[test]
fn empty_and_tiny_inputs() {
    assert!(found("").is_empty());
    assert!(found("\n\n").is_empty());
    assert!(found("谢谢").is_empty());
    assert!(found("看看").is_empty());
}

#[test]
fn whole_line_caption_title() {
    let diagnostics = found("宣誓宣誓\n");
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(diagnostics[0].range, 0.."宣誓宣誓".len());
    assert!(diagnostics[0].message.zh.contains("宣誓宣誓"));
    assert_eq!(fixed("宣誓宣誓\n"), "宣誓\n");
    assert!(found("研究研究\n").is_empty());
    assert!(found("哈哈哈哈\n").is_empty());
}

#[test]
fn crlf_and_no_final_newline() {
    let text = "近日近日，，社区党员在街道社区党员在街道\r\n开展活动开展活动。。\r\n守护守护";
    assert_eq!(fixed(text), "近日，社区党员在街道\r\n开展活动。\r\n守护");
}

#[test]
fn astral_characters_and_emoji() {
    let text = "𠮷祥村𠮷祥村，，😀好消息😀好消息。。\n";
    assert_eq!(found(text).len(), 1);
    assert_eq!(fixed(text), "𠮷祥村，😀好消息。\n");
}

#[test]
fn square_cut_across_a_line_break() {
    // The extraction wrapped the doubled text at its own width, cutting `北川…在清` in two.
    let text = "日前日前，，北川县某某校全体团员在清北川\n县某某校全体团员在清水河开展活动水河开展活动。。\n";
    let diagnostics = found(text);
    assert_eq!(diagnostics.len(), 2, "{diagnostics:?}");
    assert_eq!(fixed(text), "日前，北川\n县某某校全体团员在清水河开展活动。\n");
}

#[test]
fn a_caption_extracted_twice_with_doubled_runs_is_repaired_in_one_go() {
    // Two copies of one caption, the first with its opening runs doubled, the second not quite.
    let text = "日前日前，，某某县团委在社区开展宣讲活动日前，，某某县团委在社区开展宣讲活动\n";
    let diagnostics = found(text);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(fixed(text), "日前，某某县团委在社区开展宣讲活动\n");
    let spaced = "党旗党旗，，在基层高高飘扬 党旗，，在基层高高飘扬\n";
    assert_eq!(fixed(spaced), "党旗，在基层高高飘扬\n");
    // The copies must match once their doubled runs are kept once.
    assert!(found("日前日前，，某某县团委在社区开展宣讲活动日前，，某某县团委在社区开展调研活动\n").is_empty());
    // A line said twice with no doubled run in it is left to other rules.
    assert!(found("加油！加油！\n").is_empty());
    assert!(found("常常，常常。\n").is_empty());
}

#[test]
fn ordinary_reduplication_is_left_alone() {
    assert!(found("一名名志愿者走街串巷，一个个服务站灯火通明。\n").is_empty());
    assert!(found("踏踏实实做事，干干净净做人。\n").is_empty());
    assert!(found("看看 走走 聊聊\n").is_empty());
    assert!(found("……\n——\n").is_empty());
}
