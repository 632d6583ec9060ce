//! Command lines as a person types them: what `train` prints to resume a run, and the
//! `stepwise train …` line the playground shows for the run on its page.

/// `text` as one shell word that pastes and runs as printed: bare when every character is
/// safe, else in single quotes.
pub fn shell_word(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./,:=+@%".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        return text.to_string();
    }
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// `stepwise <command> <arguments>`, each argument one shell word.
pub fn command_line(command: &str, arguments: &[String]) -> String {
    let words = arguments.iter().map(|argument| shell_word(argument));
    std::iter::once(format!("stepwise {command}"))
        .chain(words)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_with_spaces_or_quotes_is_quoted_so_it_pastes_as_one() {
        assert_eq!(shell_word("moons"), "moons");
        assert_eq!(shell_word("my data.csv"), "'my data.csv'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
        assert_eq!(shell_word(""), "''");
        let arguments = ["--dataset".to_string(), "my data.csv".to_string()];
        assert_eq!(
            command_line("train", &arguments),
            "stepwise train --dataset 'my data.csv'"
        );
    }
}
