//! The member states of the United Nations by ISO 3166-1 alpha-2 code, with the UN regional
//! group of each, from `data/un_member_states.csv` (compiled in).

use crate::cooperation::RegionalGroup;

const DATA: &str = include_str!("../data/un_member_states.csv");

/// A member state of the United Nations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Country {
    /// ISO 3166-1 alpha-2 code, such as `KE`.
    pub code: &'static str,
    /// Short English name.
    pub name: &'static str,
    pub group: RegionalGroup,
}

fn group(text: &str) -> Option<RegionalGroup> {
    Some(match text {
        "african" => RegionalGroup::African,
        "asia_pacific" => RegionalGroup::AsiaPacific,
        "eastern_european" => RegionalGroup::EasternEuropean,
        "latin_american_caribbean" => RegionalGroup::LatinAmericanCaribbean,
        "western_european_others" => RegionalGroup::WesternEuropeanOthers,
        _ => return None,
    })
}

/// Every member state, in the order of the data file (by regional group).
pub fn all() -> impl Iterator<Item = Country> {
    DATA.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut f = l.splitn(3, ',');
            let code = f.next().unwrap_or_default();
            let name = f.next().unwrap_or_default();
            let g = f.next().and_then(group);
            // The data file is checked by this module's tests; a bad line is a build defect.
            Country {
                code,
                name,
                group: g.unwrap_or(RegionalGroup::WesternEuropeanOthers),
            }
        })
}

/// The member state with ISO 3166-1 alpha-2 `code` (upper case), if any.
pub fn by_code(code: &str) -> Option<Country> {
    all().find(|c| c.code == code)
}

/// Why a participant's country and regional group do not go together, if they do not.
pub fn check_country(code: &str, region: RegionalGroup) -> Result<Country, String> {
    let Some(c) = by_code(code) else {
        return Err(format!(
            "{code:?} is not the ISO 3166-1 alpha-2 code of a United Nations member state \
             (two capital letters, such as KE)"
        ));
    };
    if c.group != region {
        return Err(format!(
            "{} ({}) belongs to the {} group, not the {} group",
            c.name,
            c.code,
            c.group.label(),
            region.label()
        ));
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn the_data_file_lists_the_193_member_states_once_each_with_a_group() {
        let lines: Vec<&str> = DATA
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        assert_eq!(lines.len(), 193);
        for l in &lines {
            let f: Vec<&str> = l.splitn(3, ',').collect();
            assert_eq!(f.len(), 3, "{l}");
            assert!(
                f[0].len() == 2 && f[0].bytes().all(|b| b.is_ascii_uppercase()),
                "{l}"
            );
            assert!(group(f[2]).is_some(), "{l}");
        }
        let codes: BTreeSet<&str> = all().map(|c| c.code).collect();
        assert_eq!(codes.len(), 193);
        let count = |g| all().filter(|c| c.group == g).count();
        assert_eq!(count(RegionalGroup::African), 54);
        assert_eq!(count(RegionalGroup::EasternEuropean), 23);
        assert_eq!(count(RegionalGroup::LatinAmericanCaribbean), 33);
    }

    #[test]
    fn kenya_is_african_and_zz_is_no_country() {
        assert_eq!(by_code("KE").unwrap().group, RegionalGroup::African);
        assert!(check_country("KE", RegionalGroup::African).is_ok());
        let e = check_country("KE", RegionalGroup::AsiaPacific).unwrap_err();
        assert!(e.contains("African"), "{e}");
        assert!(check_country("ZZ", RegionalGroup::African).is_err());
        assert!(check_country("ke", RegionalGroup::African).is_err());
        assert_eq!(
            by_code("FR").unwrap().group,
            RegionalGroup::WesternEuropeanOthers
        );
        assert_eq!(
            by_code("BR").unwrap().group,
            RegionalGroup::LatinAmericanCaribbean
        );
        assert_eq!(by_code("PL").unwrap().group, RegionalGroup::EasternEuropean);
        assert_eq!(by_code("CN").unwrap().group, RegionalGroup::AsiaPacific);
    }
}
