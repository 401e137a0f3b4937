//! Payments as CSV, the way French accounting software and spreadsheets open it: UTF-8 with a
//! byte-order mark (without it, Excel reads UTF-8 as Windows-1252), `;` between cells, a
//! decimal comma, dates in French time, one line per payment.
//!
//! A cell that a spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, a tab
//! or a carriage return) gets a leading `'`, so a payer named `=HYPERLINK(…)` stays text.
//! Only the texts people typed are touched; the figures are ours.

use tirelire_domain::Currency;
use tirelire_domain::payments::PaymentRow;

use crate::mail::templates::numeric_date_time;

/// The columns, in order.
const HEADER: [&str; 13] = [
    "Date",
    "Référence",
    "Campagne",
    "Statut",
    "Moyen de paiement",
    "N° de chèque ou de virement",
    "Montant",
    "Remboursé ou annulé",
    "Net",
    "Devise",
    "Prénom",
    "Nom",
    "E-mail",
];

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new())
}

fn finish(writer: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, String> {
    writer.into_inner().map_err(|error| error.to_string())
}

/// The file's first bytes: the byte-order mark and the column names.
pub fn head() -> Result<Vec<u8>, String> {
    let mut writer = writer();
    writer
        .write_record(HEADER)
        .map_err(|error| error.to_string())?;
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(finish(writer)?);
    Ok(bytes)
}

/// One line per payment.
pub fn lines(payments: &[PaymentRow]) -> Result<Vec<u8>, String> {
    let mut writer = writer();
    for payment in payments {
        let currency = Currency::from_code(&payment.currency).unwrap_or(Currency::Eur);
        let status = if payment.reversed_at.is_some() {
            "Annulé"
        } else {
            payment.status.label_fr()
        };
        writer
            .write_record([
                numeric_date_time(payment.date),
                payment.id.clone(),
                text(&payment.campaign_title),
                status.to_owned(),
                payment.method.label_fr().to_owned(),
                text(payment.reference.as_deref().unwrap_or_default()),
                decimal(payment.amount, currency),
                decimal(payment.returned, currency),
                decimal(payment.counted, currency),
                payment.currency.clone(),
                text(&payment.first_name),
                text(&payment.last_name),
                text(&payment.email),
            ])
            .map_err(|error| error.to_string())?;
    }
    finish(writer)
}

/// A whole small table (members, attendees) as one file: the byte-order mark, the column
/// names, then each row, every cell a typed text kept from being read as a formula.
pub fn table<const N: usize>(header: [&str; N], rows: &[[String; N]]) -> Result<Vec<u8>, String> {
    let mut writer = writer();
    writer
        .write_record(header)
        .map_err(|error| error.to_string())?;
    for row in rows {
        writer
            .write_record(row.iter().map(|cell| text(cell)))
            .map_err(|error| error.to_string())?;
    }
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(finish(writer)?);
    Ok(bytes)
}

/// A file to download, as the answer to a request, never cached.
pub fn attachment(file: Vec<u8>, name: &str) -> Result<worker::Response, crate::error::EdgeError> {
    let mut response = worker::Response::from_bytes(file)?;
    let headers = response.headers_mut();
    headers.set("Content-Type", "text/csv; charset=utf-8")?;
    headers.set(
        "Content-Disposition",
        &format!("attachment; filename=\"{name}\""),
    )?;
    headers.set("Cache-Control", "no-store")?;
    Ok(response)
}

/// A typed text, kept from being read as a formula.
fn text(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

/// Minor units with a decimal comma and no thousands separator: `1234,50`.
fn decimal(minor: i64, currency: Currency) -> String {
    let per_major = currency.minor_per_major();
    let sign = if minor < 0 { "-" } else { "" };
    let minor = minor.unsigned_abs();
    let per_major = per_major.unsigned_abs().max(1);
    format!(
        "{sign}{},{:0width$}",
        minor / per_major,
        minor % per_major,
        width = currency.decimals()
    )
}

#[cfg(test)]
mod tests {
    use tirelire_domain::OrderStatus;
    use tirelire_domain::payments::PaymentMethod;

    use super::*;

    fn payment(first_name: &str, last_name: &str) -> PaymentRow {
        PaymentRow {
            id: "ord_1".into(),
            campaign: "jardin".into(),
            campaign_title: "Un composteur; pour \"le\" jardin".into(),
            amount: 123_450,
            currency: "EUR".into(),
            returned: 5,
            counted: 123_445,
            status: OrderStatus::Paid,
            method: PaymentMethod::Cheque,
            first_name: first_name.into(),
            last_name: last_name.into(),
            email: "@x.org".into(),
            date: 1_764_770_700,
            reference: Some("-0042".into()),
            reversed_at: None,
        }
    }

    #[test]
    fn a_table_keeps_every_cell_from_being_a_formula() {
        let bytes = table(
            ["Nom", "E-mail"],
            &[["=HYPERLINK(\"http://x\")".to_owned(), "a@b.fr".to_owned()]],
        )
        .unwrap_or_default();
        let file = String::from_utf8(bytes).unwrap_or_default();
        assert_eq!(
            file,
            "\u{feff}Nom;E-mail\r\n\"'=HYPERLINK(\"\"http://x\"\")\";a@b.fr\r\n"
        );
    }

    #[test]
    fn the_file_starts_with_a_bom_and_french_column_names() {
        let head = String::from_utf8(head().unwrap_or_default()).unwrap_or_default();
        assert!(
            head.starts_with("\u{feff}Date;Référence;Campagne;Statut;"),
            "{head}"
        );
        assert!(head.ends_with("Prénom;Nom;E-mail\r\n"), "{head}");
    }

    #[test]
    fn a_line_has_decimal_commas_french_time_and_quoted_separators() {
        let line = String::from_utf8(lines(&[payment("Zoé", "Dupont")]).unwrap_or_default())
            .unwrap_or_default();
        assert_eq!(
            line,
            "03/12/2025 15:05;ord_1;\"Un composteur; pour \"\"le\"\" jardin\";Payé;Chèque;'-0042;\
             1234,50;0,05;1234,45;EUR;Zoé;Dupont;'@x.org\r\n"
        );
    }

    #[test]
    fn formulas_stay_text() {
        let line = String::from_utf8(
            lines(&[payment("=HYPERLINK(\"http://x\")", "+1+1")]).unwrap_or_default(),
        )
        .unwrap_or_default();
        assert!(
            line.contains(";\"'=HYPERLINK(\"\"http://x\"\")\";'+1+1;"),
            "{line}"
        );
        assert_eq!(text("\tcmd"), "'\tcmd");
        assert_eq!(text("Marie-Anne"), "Marie-Anne");
    }

    #[test]
    fn a_reversed_payment_says_so() {
        let mut reversed = payment("A", "B");
        reversed.reversed_at = Some(1);
        let line = String::from_utf8(lines(&[reversed]).unwrap_or_default()).unwrap_or_default();
        assert!(line.contains(";Annulé;"), "{line}");
    }

    #[test]
    fn amounts_keep_their_cents() {
        assert_eq!(decimal(0, Currency::Eur), "0,00");
        assert_eq!(decimal(7, Currency::Eur), "0,07");
        assert_eq!(decimal(2_000, Currency::Eur), "20,00");
        assert_eq!(decimal(-150, Currency::Eur), "-1,50");
    }
}
