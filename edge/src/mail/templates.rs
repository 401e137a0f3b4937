//! The messages' words, from the plain files in `edge/templates/mail/` (see its README), and
//! the one way values get into them: escaped in HTML, as they are in text.

use tirelire_domain::Locale;

/// A message the edge knows how to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Template {
    /// To the donor, once the payment is applied.
    DonorReceipt,
    /// To the donor of tickets, once paid, with the link to them.
    TicketReceipt,
    /// To a monthly donor, for each instalment, with the link that stops the gift.
    MonthlyReceipt,
    /// To a new or renewing member, with their period and the link to their card.
    MemberCard,
    /// To a member whose membership ends soon or has ended.
    MemberReminder,
    /// To the treasurer, for each payment, if they asked.
    TreasurerPayment,
    /// A sign-in link to the back-office.
    SignIn,
    /// The set-up check of `cargo xtask mail-test`.
    Test,
}

impl Template {
    /// Every template.
    pub const ALL: [Self; 8] = [
        Self::DonorReceipt,
        Self::TicketReceipt,
        Self::MonthlyReceipt,
        Self::MemberCard,
        Self::MemberReminder,
        Self::TreasurerPayment,
        Self::SignIn,
        Self::Test,
    ];

    /// The name stored in the outbox and used for the files.
    pub fn name(self) -> &'static str {
        match self {
            Self::DonorReceipt => "donor_receipt",
            Self::TicketReceipt => "ticket_receipt",
            Self::MonthlyReceipt => "monthly_receipt",
            Self::MemberCard => "member_card",
            Self::MemberReminder => "member_reminder",
            Self::TreasurerPayment => "treasurer_payment",
            Self::SignIn => "sign_in",
            Self::Test => "test",
        }
    }

    /// The template called `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|template| template.name() == name)
    }

    /// The values the template is given.
    pub fn values(self) -> &'static [&'static str] {
        match self {
            Self::DonorReceipt => &[
                "first_name",
                "amount",
                "date",
                "campaign",
                "organisation",
                "reference",
                "contact",
            ],
            Self::TicketReceipt => &[
                "first_name",
                "amount",
                "date",
                "campaign",
                "organisation",
                "reference",
                "contact",
                "link",
                "seats",
            ],
            Self::MonthlyReceipt => &[
                "first_name",
                "amount",
                "date",
                "campaign",
                "organisation",
                "reference",
                "contact",
                "link",
            ],
            Self::MemberCard => &[
                "first_name",
                "amount",
                "date",
                "campaign",
                "organisation",
                "reference",
                "contact",
                "link",
                "starts_on",
                "ends_on",
            ],
            Self::MemberReminder => &[
                "first_name",
                "organisation",
                "when",
                "ends_on",
                "link",
                "contact",
            ],
            Self::TreasurerPayment => &[
                "amount",
                "date",
                "campaign",
                "donor_name",
                "donor_email",
                "reference",
            ],
            Self::SignIn => &["link", "minutes", "organisation"],
            Self::Test => &["organisation", "provider", "date"],
        }
    }

    fn files(self, locale: Locale) -> (&'static str, &'static str) {
        macro_rules! files {
            ($lang:literal, $name:literal) => {
                (
                    include_str!(concat!("../../templates/mail/", $lang, "/", $name, ".txt")),
                    include_str!(concat!("../../templates/mail/", $lang, "/", $name, ".html")),
                )
            };
        }
        match (locale, self) {
            (Locale::Fr, Self::DonorReceipt) => files!("fr", "donor_receipt"),
            (Locale::Fr, Self::TicketReceipt) => files!("fr", "ticket_receipt"),
            (Locale::Fr, Self::MonthlyReceipt) => files!("fr", "monthly_receipt"),
            (Locale::Fr, Self::MemberCard) => files!("fr", "member_card"),
            (Locale::Fr, Self::MemberReminder) => files!("fr", "member_reminder"),
            (Locale::Fr, Self::TreasurerPayment) => files!("fr", "treasurer_payment"),
            (Locale::Fr, Self::SignIn) => files!("fr", "sign_in"),
            (Locale::Fr, Self::Test) => files!("fr", "test"),
            (Locale::En, Self::DonorReceipt) => files!("en", "donor_receipt"),
            (Locale::En, Self::TicketReceipt) => files!("en", "ticket_receipt"),
            (Locale::En, Self::MonthlyReceipt) => files!("en", "monthly_receipt"),
            (Locale::En, Self::MemberCard) => files!("en", "member_card"),
            (Locale::En, Self::MemberReminder) => files!("en", "member_reminder"),
            (Locale::En, Self::TreasurerPayment) => files!("en", "treasurer_payment"),
            (Locale::En, Self::SignIn) => files!("en", "sign_in"),
            (Locale::En, Self::Test) => files!("en", "test"),
        }
    }
}

/// A message's words, values in place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    /// The subject line.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part, a whole page.
    pub html: String,
}

/// Writes `template` in `locale` with `values`. A placeholder without a value is an error,
/// never an empty gap in a donor's mail.
pub fn render(
    template: Template,
    locale: Locale,
    values: &[(&str, String)],
) -> Result<Rendered, String> {
    let (text_file, html_file) = template.files(locale);
    let (subject, text) = text_file
        .split_once("\n\n")
        .ok_or_else(|| format!("{}: no empty line after the subject", template.name()))?;
    let plain = |value: &str| value.to_owned();
    let escaped = |value: &str| html_escape::encode_double_quoted_attribute(value).into_owned();
    let fragment = fill(html_file, values, &escaped)?;
    Ok(Rendered {
        // A subject is one line, whatever a value holds.
        subject: fill(subject.trim(), values, &plain)?.replace(['\r', '\n'], " "),
        text: fill(text, values, &plain)?,
        html: format!(
            "<!DOCTYPE html>\n<html lang=\"{}\">\n<head><meta charset=\"utf-8\"></head>\n\
             <body style=\"font-family: sans-serif; line-height: 1.5; color: #1a1a1a\">\n{fragment}</body>\n</html>\n",
            locale.tag()
        ),
    })
}

fn fill(
    source: &str,
    values: &[(&str, String)],
    encode: &dyn Fn(&str) -> String,
) -> Result<String, String> {
    let mut out = String::with_capacity(source.len() + 256);
    let mut rest = source;
    while let Some(start) = rest.find("{{") {
        out.push_str(rest.get(..start).unwrap_or_default());
        let after = rest.get(start + 2..).unwrap_or_default();
        let end = after
            .find("}}")
            .ok_or_else(|| "a {{ without its }}".to_owned())?;
        let name = after.get(..end).unwrap_or_default().trim();
        let value = values
            .iter()
            .find(|(key, _)| *key == name)
            .ok_or_else(|| format!("no value for {{{{{name}}}}}"))?;
        out.push_str(&encode(&value.1));
        rest = after.get(end + 2..).unwrap_or_default();
    }
    out.push_str(rest);
    Ok(out)
}

/// A date as people write it, in French time (Tirelire's associations are French; the date on
/// a receipt must be the day the donor lived): `23 novembre 2026`, `23 November 2026`.
pub fn long_date(unix_seconds: i64, locale: Locale) -> String {
    let local = unix_seconds + paris_offset(unix_seconds);
    let (year, month, day) = civil_from_days(local.div_euclid(86_400));
    let months = match locale {
        Locale::Fr => [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ],
        Locale::En => [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
    };
    let name = months
        .get(usize::try_from(month).unwrap_or(1).saturating_sub(1))
        .copied()
        .unwrap_or_default();
    let day = if locale == Locale::Fr && day == 1 {
        "1er".to_owned()
    } else {
        day.to_string()
    };
    format!("{day} {name} {year}")
}

/// A date and time as French spreadsheets read them, in French time: `03/12/2026 14:05`.
pub fn numeric_date_time(unix_seconds: i64) -> String {
    let local = unix_seconds + paris_offset(unix_seconds);
    let (year, month, day) = civil_from_days(local.div_euclid(86_400));
    let minutes = local.rem_euclid(86_400) / 60;
    format!(
        "{day:02}/{month:02}/{year} {:02}:{:02}",
        minutes / 60,
        minutes % 60
    )
}

/// Paris's offset from UTC at `unix_seconds`: one hour, two in summer time (from the last
/// Sunday of March to the last Sunday of October, at 01:00 UTC).
fn paris_offset(unix_seconds: i64) -> i64 {
    let (year, _, _) = civil_from_days(unix_seconds.div_euclid(86_400));
    let last_sunday = |month: i64| {
        let last_day = days_from_civil(year, month + 1, 1) - 1;
        // 1970-01-01 was a Thursday: day 0 is weekday 4 with Sunday as 0.
        last_day - (last_day + 4).rem_euclid(7)
    };
    let summer_starts = last_sunday(3) * 86_400 + 3_600;
    let summer_ends = last_sunday(10) * 86_400 + 3_600;
    if (summer_starts..summer_ends).contains(&unix_seconds) {
        7_200
    } else {
        3_600
    }
}

/// Year, month and day of a count of days since 1970-01-01 (proleptic Gregorian).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// Days since 1970-01-01 of a date; the month may be 13 (January of the next year).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let (year, month) = if month > 12 {
        (year + 1, month - 12)
    } else {
        (year, month)
    };
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_values(template: Template, value: &str) -> Vec<(&'static str, String)> {
        template
            .values()
            .iter()
            .map(|name| (*name, value.to_owned()))
            .collect()
    }

    #[test]
    fn every_file_renders_with_exactly_its_values() {
        for template in Template::ALL {
            for locale in [Locale::Fr, Locale::En] {
                let rendered = render(template, locale, &all_values(template, "VALUE"));
                let rendered =
                    rendered.unwrap_or_else(|error| panic!("{template:?} {locale:?}: {error}"));
                assert!(!rendered.subject.is_empty());
                assert!(!rendered.text.contains("{{") && !rendered.html.contains("{{"));
                assert!(
                    rendered
                        .html
                        .contains(&format!("lang=\"{}\"", locale.tag()))
                );
                // Each value the message is given appears in both parts.
                let (text, html) = template.files(locale);
                for name in template.values() {
                    let placeholder = format!("{{{{{name}}}}}");
                    assert!(
                        text.contains(&placeholder) && html.contains(&placeholder),
                        "{template:?} {locale:?} does not use {name}"
                    );
                }
                // One value missing is an error, not a gap.
                let mut fewer = all_values(template, "x");
                fewer.pop();
                assert!(render(template, locale, &fewer).is_err());
            }
        }
    }

    #[test]
    fn values_are_escaped_in_html_and_kept_in_text() {
        let hostile = "<script>alert(1)</script>\"; DROP TABLE orders; --";
        let rendered = render(
            Template::DonorReceipt,
            Locale::Fr,
            &all_values(Template::DonorReceipt, hostile),
        )
        .unwrap_or_else(|error| panic!("{error}"));
        assert!(!rendered.html.contains("<script>"), "{}", rendered.html);
        assert!(
            rendered
                .html
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;; DROP")
        );
        assert!(rendered.text.contains(hostile));
        // A value cannot close the attribute it is put in.
        assert!(!rendered.html.contains("mailto:<"));
        assert!(!rendered.html.contains("\"; DROP"));
    }

    #[test]
    fn a_value_cannot_break_the_subject_line() {
        let mut values = all_values(Template::DonorReceipt, "x");
        values.retain(|(name, _)| *name != "organisation");
        values.push(("organisation", "Amis\r\nBcc: everyone@example.org".into()));
        let rendered = render(Template::DonorReceipt, Locale::En, &values)
            .unwrap_or_else(|error| panic!("{error}"));
        assert!(!rendered.subject.contains('\n') && !rendered.subject.contains('\r'));
    }

    #[test]
    fn dates_are_french_time() {
        // 2026-11-23 23:30 UTC is already the 24th in Paris (winter, UTC+1).
        assert_eq!(long_date(1_795_476_600, Locale::Fr), "24 novembre 2026");
        assert_eq!(long_date(1_795_476_600, Locale::En), "24 November 2026");
        // 2026-07-31 22:30 UTC is the 1st of August in Paris (summer, UTC+2).
        assert_eq!(long_date(1_785_537_000, Locale::Fr), "1er août 2026");
        // 2026-07-31 21:30 UTC is still the 31st.
        assert_eq!(long_date(1_785_533_400, Locale::En), "31 July 2026");
        // Summer time in 2026 runs from 29 March to 25 October, 01:00 UTC.
        assert_eq!(numeric_date_time(1_774_745_999), "29/03/2026 01:59");
        assert_eq!(numeric_date_time(1_774_746_000), "29/03/2026 03:00");
        assert_eq!(numeric_date_time(1_798_761_599), "01/01/2027 00:59");
        assert_eq!(paris_offset(1_774_745_999), 3_600);
        assert_eq!(paris_offset(1_774_746_000), 7_200);
        assert_eq!(paris_offset(1_792_889_999), 7_200);
        assert_eq!(paris_offset(1_792_890_000), 3_600);
        assert_eq!(long_date(0, Locale::En), "1 January 1970");
    }
}
