//! `repurpose venues`.

use crate::harness::Project;

#[test]
fn lists_the_seven_built_in_venues() {
    let run = Project::new().run(&["venues"]).expect_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines[0].starts_with("VENUE"), "{}", run.stdout);
    let names: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "article",
            "blog",
            "discourse",
            "forum",
            "hugo",
            "newsletter",
            "social"
        ]
    );
    let newsletter = lines.iter().find(|l| l.starts_with("newsletter")).unwrap();
    assert!(
        newsletter.contains("newsletter.html, newsletter.txt"),
        "{newsletter}"
    );
    assert!(newsletter.ends_with("built-in"), "{newsletter}");
}

#[test]
fn json_lists_the_same() {
    let run = Project::new().run(&["venues", "--json"]).expect_code(0);
    let venues: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let venues = venues.as_array().unwrap();
    assert_eq!(venues.len(), 7);
    assert_eq!(venues[3]["name"], "forum");
    assert_eq!(venues[3]["files"][0], "forum.bbcode");
    assert_eq!(venues[3]["source"], "built-in");
    assert_eq!(venues[3]["body"][0], "bbcode");
    assert_eq!(venues[6]["name"], "social");
    assert_eq!(venues[6]["files"][0], "social.txt");
    assert_eq!(venues[6]["body"][0], "text");
    assert!(
        venues[3]["description"]
            .as_str()
            .unwrap()
            .contains("BBCode")
    );
}
