//! `repurpose venues`.

use crate::harness::{Project, VENUE_FILES};

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

#[test]
fn the_tests_list_of_venue_files_is_the_templates_folder() {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut files: Vec<String> = std::fs::read_dir(&folder)
        .expect("templates/ reads")
        .map(|entry| {
            entry
                .expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter_map(|name| name.strip_suffix(".tera").map(str::to_owned))
        .filter(|name| !name.starts_with('_'))
        .collect();
    files.sort();
    assert_eq!(files, VENUE_FILES);
    let run = Project::new().run(&["venues", "--json"]).expect_code(0);
    let venues: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let listed: Vec<&str> = venues
        .as_array()
        .expect("a list")
        .iter()
        .flat_map(|v| v["files"].as_array().expect("files"))
        .map(|f| f.as_str().expect("a file name"))
        .collect();
    assert_eq!(listed, VENUE_FILES);
}
