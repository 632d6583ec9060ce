use super::*;

const ID: &str = "ae58ff8833241ac82d6ff7611046ed67b5072d142c588d0063e942d9a75502b6";

#[test]
fn an_address_is_a_websocket_url_or_an_iroh_id_with_optional_direct_addresses() {
    let url = Address::parse("ws://10.0.0.2:3000").unwrap();
    assert_eq!(url, Address::WebSocket("ws://10.0.0.2:3000".into()));
    let id = Address::parse(ID).unwrap();
    assert_eq!(id.to_string(), ID);
    let direct = Address::parse(&format!("{ID}@127.0.0.1:4000")).unwrap();
    let expected = vec!["127.0.0.1:4000".parse().unwrap()];
    assert_eq!(
        direct,
        Address::Iroh {
            id: ID.into(),
            direct: expected
        }
    );
    assert_eq!(direct.to_string(), format!("{ID}@127.0.0.1:4000"));
    for bad in ["http://host", "gpu-box", &format!("{ID}@nowhere")] {
        assert!(Address::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn a_token_is_the_first_line_of_its_file_and_an_empty_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, "s3cret \n").unwrap();
    assert_eq!(Token::read(Some(&file)).unwrap().secret(), "s3cret");
    assert_eq!(
        format!("{:?}", Token::read(Some(&file)).unwrap()),
        "Token(…)"
    );
    std::fs::write(&file, "\n").unwrap();
    let err = Token::read(Some(&file)).unwrap_err().to_string();
    assert!(err.contains("holds no token"), "{err}");
}

#[test]
fn a_device_as_the_token_file_is_refused_not_read_for_ever() {
    let err = Token::read(Some(Path::new("/dev/zero"))).unwrap_err();
    assert!(format!("{err:#}").contains("not a regular file"), "{err:#}");
}
