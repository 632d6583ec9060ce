use super::*;
use clap::Parser;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    config: TrainConfig,
}

#[test]
fn learning_rates_read_and_save_as_numbers_or_auto() {
    assert_eq!("0.5".parse(), Ok(LearningRate::Fixed(0.5)));
    assert_eq!("auto".parse(), Ok(LearningRate::Auto));
    assert!("fast".parse::<LearningRate>().is_err());
    for rate in [LearningRate::Fixed(0.25), LearningRate::Auto] {
        let json = serde_json::to_string(&rate).unwrap();
        assert_eq!(serde_json::from_str::<LearningRate>(&json).unwrap(), rate);
    }
    assert_eq!(
        serde_json::to_string(&LearningRate::Auto).unwrap(),
        "\"auto\""
    );
}

#[test]
fn clap_defaults_match_config_defaults() {
    let parsed = Cli::parse_from(["stepwise"]).config;
    assert_eq!(parsed, TrainConfig::new());
}
