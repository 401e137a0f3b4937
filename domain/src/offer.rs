//! What a campaign offers besides a free amount, by kind: a membership's tiers, an event's
//! rates and seats, a crowdfunding's rewards, and what every kind may add (questions of its
//! own, promo codes, payment fees the donor may cover, monthly gifts). The same [`Offer`] is
//! the treasurer's settings, checked by [`Offer::checked`], and what the widget reads; and
//! [`Offer::price`] turns a donor's picks into the lines of an order, in the widget as on the
//! edge.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::membership::{MAX_REMINDERS, REMINDER_REACH_DAYS, Validity};
use crate::setup::{CampaignKind, HIGHEST_MAXIMUM, LOWEST_MINIMUM};
use crate::wire::wire_names;
use crate::{Day, DonationRules, Field, FieldError, FieldErrorCode, clean_text};

/// The most tiers, rates or rewards one campaign offers.
pub const MAX_ITEMS: usize = 12;
/// The longest label of an item, a question or a choice, in characters.
pub const MAX_LABEL_CHARS: usize = 80;
/// The most seats of one rate in one order.
pub const MAX_PER_ORDER: u32 = 20;
/// The most questions a campaign asks.
pub const MAX_QUESTIONS: usize = 10;
/// The most choices in one choice list.
pub const MAX_CHOICES: usize = 20;
/// The longest short answer, in characters.
pub const MAX_ANSWER_CHARS: usize = 200;
/// The longest long answer, in characters.
pub const MAX_LONG_ANSWER_CHARS: usize = 2000;
/// The most promo codes one campaign accepts.
pub const MAX_PROMO_CODES: usize = 50;
/// The highest share of a gift a fee rule may add, in hundredths of a percent (10 %).
pub const MAX_FEE_BASIS_POINTS: u32 = 1000;
/// The highest fixed part of a fee rule, in minor units.
pub const MAX_FEE_FIXED: i64 = 500;

/// One tier of a membership, rate of an event or reward of a crowdfunding.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Item {
    /// Its stable name in orders and counters, made from the first label it had.
    pub key: String,
    /// What the donor reads: "Tarif réduit", "Un sac en toile".
    pub label: String,
    /// Its price in minor units; for a pay-what-you-want tier the least one may pay, for a
    /// reward the least contribution that earns it. A free rate costs 0.
    pub price: i64,
    /// Whether the donor chooses the amount, from `price` up (membership tiers).
    #[serde(skip_serializing_if = "is_false")]
    pub open_price: bool,
    /// How many may be sold in all, if limited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quota: Option<u32>,
    /// How many one order may hold (event rates); 1 otherwise.
    #[serde(skip_serializing_if = "is_zero")]
    pub per_order: u32,
    /// How many are left, as the edge counted them for this answer; only when the campaign
    /// shows what remains.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remaining: Option<u32>,
}

impl Item {
    /// How many one order may hold.
    pub fn most_per_order(&self) -> u32 {
        self.per_order.max(1)
    }
}

/// The payment fees a donor may choose to cover, so that the association receives the whole
/// gift: a share of the amount paid plus a fixed part, as card processors charge.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeRule {
    /// The share, in hundredths of a percent (150 is 1.5 %).
    pub basis_points: u32,
    /// The fixed part per payment, in minor units.
    pub fixed: i64,
}

impl FeeRule {
    /// What to add to `amount` so that, once the processor keeps its share of the total
    /// (rounded up, to be safe) and its fixed part, at least `amount` is left; the least such
    /// fee.
    pub fn cover(self, amount: i64) -> i64 {
        if amount <= 0 {
            return 0;
        }
        let share = i64::from(self.basis_points.min(MAX_FEE_BASIS_POINTS));
        let left = |total: i64| total - (total * share + 9_999) / 10_000 - self.fixed;
        // The exact solution of `total × (1 - share) - fixed = amount`, then the rounding.
        let keep = 10_000 - share;
        let mut total = ((amount + self.fixed) * 10_000 + keep - 1) / keep;
        while left(total) < amount {
            total += 1;
        }
        while total > amount && left(total - 1) >= amount {
            total -= 1;
        }
        total - amount
    }
}

/// The kind of answer a question takes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum AnswerKind {
    /// A line of text.
    #[default]
    Text,
    /// Several lines of text.
    LongText,
    /// A number, with a decimal point or comma.
    Number,
    /// A day, `YYYY-MM-DD`.
    Date,
    /// A box to tick: `yes` or `no`. A required one must be ticked (a rule to accept).
    YesNo,
    /// One of the question's `choices`.
    Choice,
}

wire_names!(AnswerKind {
    Text = "text",
    LongText = "long_text",
    Number = "number",
    Date = "date",
    YesNo = "yes_no",
    Choice = "choice",
});

/// A question of the campaign's own, asked with every order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Question {
    /// Its stable name in answers, made from the first label it had.
    pub key: String,
    /// What the donor reads.
    pub label: String,
    /// The kind of answer.
    pub kind: AnswerKind,
    /// Whether it must be answered.
    #[serde(skip_serializing_if = "is_false")]
    pub required: bool,
    /// The choices of a choice list.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
}

impl Question {
    /// The answer as stored, `None` when left empty, or what is wrong with it.
    pub fn check(&self, answer: &str) -> Result<Option<String>, FieldErrorCode> {
        let answer = if self.kind == AnswerKind::LongText {
            let lines: Vec<String> = answer.lines().map(clean_text).collect();
            lines.join("\n").trim().to_owned()
        } else {
            clean_text(answer)
        };
        let unticked = self.kind == AnswerKind::YesNo && answer == "no";
        if answer.is_empty() || (self.required && unticked) {
            return if self.required {
                Err(FieldErrorCode::Required)
            } else {
                Ok(None)
            };
        }
        let fits = match self.kind {
            AnswerKind::Text => answer.chars().count() <= MAX_ANSWER_CHARS,
            AnswerKind::LongText => answer.chars().count() <= MAX_LONG_ANSWER_CHARS,
            AnswerKind::Number => is_number(&answer),
            AnswerKind::Date => Day::parse(&answer).is_ok(),
            AnswerKind::YesNo => answer == "yes" || answer == "no",
            AnswerKind::Choice => self.choices.contains(&answer),
        };
        match (fits, self.kind) {
            (true, _) => Ok(Some(answer)),
            (false, AnswerKind::Text | AnswerKind::LongText) => Err(FieldErrorCode::TooLong),
            (false, _) => Err(FieldErrorCode::Invalid),
        }
    }
}

/// A decimal number as people type it: `12`, `-3`, `1,5`, `0.25`; at most 15 digits.
fn is_number(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = digits
        .split_once([',', '.'])
        .map_or((digits, None), |(whole, fraction)| (whole, Some(fraction)));
    let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole) && fraction.is_none_or(all_digits) && digits.len() <= 16
}

/// A code that lowers the price of an order, kept on the edge: the widget only learns the one
/// the donor typed, through `GET /v1/campaigns/{slug}/promo-codes/{code}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PromoCode {
    /// The code, in capitals: letters, digits and hyphens.
    pub code: String,
    /// The share taken off, in percent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent_off: Option<u8>,
    /// The amount taken off, in minor units.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount_off: Option<i64>,
    /// How many orders may use it, if limited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

impl PromoCode {
    /// A code as typed, in the form codes are kept: trimmed, in capitals.
    pub fn normalise(typed: &str) -> String {
        typed.trim().to_ascii_uppercase()
    }

    /// What the code takes off `subtotal`: never more than the subtotal, rounded down.
    pub fn discount(&self, subtotal: i64) -> i64 {
        let off = match (self.percent_off, self.amount_off) {
            (Some(percent), _) => subtotal * i64::from(percent.min(100)) / 100,
            (None, Some(amount)) => amount,
            (None, None) => 0,
        };
        off.clamp(0, subtotal.max(0))
    }
}

/// What a campaign offers; every part is optional, and which apply depends on its kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Offer {
    /// A membership's tiers, an event's rates or a crowdfunding's rewards.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Item>,
    /// An event's seats in all, if limited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
    /// Whether the widget shows how many seats or rewards remain.
    #[serde(skip_serializing_if = "is_false")]
    pub show_remaining: bool,
    /// When sales open, in Unix seconds (events).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opens_at: Option<i64>,
    /// When sales close, or a crowdfunding ends, in Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closes_at: Option<i64>,
    /// How long a membership lasts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validity: Option<Validity>,
    /// When renewal reminders go out, in days from the membership's end (`-30`, `7`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reminder_days: Vec<i32>,
    /// Whether donors may give every month (donations).
    #[serde(skip_serializing_if = "is_false")]
    pub monthly: bool,
    /// Whether the gifts may be receipted for tax relief.
    #[serde(skip_serializing_if = "is_false")]
    pub tax_receipt: bool,
    /// The fees a donor may choose to cover, if the campaign offers it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fee: Option<FeeRule>,
    /// The campaign's own questions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<Question>,
    /// The promo codes it accepts; never sent to the public, who see
    /// [`OfferView::promo`] instead.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub promo_codes: Vec<PromoCode>,
}

/// What the public sees of an [`Offer`] (`offer` in `GET /v1/campaigns/{slug}`): what the
/// widget shows and prices with, without the promo codes and the settings that only the edge
/// uses (capacities, quotas, validity, reminders).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OfferView {
    /// A membership's tiers, an event's rates or a crowdfunding's rewards, each with what is
    /// left when the campaign shows it (and, always, when nothing is).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Item>,
    /// When sales open, in Unix seconds (events).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opens_at: Option<i64>,
    /// When sales close, or a crowdfunding ends, in Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closes_at: Option<i64>,
    /// Whether donors may give every month (donations).
    #[serde(skip_serializing_if = "is_false")]
    pub monthly: bool,
    /// The fees a donor may choose to cover, if the campaign offers it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fee: Option<FeeRule>,
    /// The campaign's own questions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<Question>,
    /// Whether the form asks for a promo code.
    #[serde(skip_serializing_if = "is_false")]
    pub promo: bool,
}

/// What a donor picked of an [`Offer`] (`"items": [{"key": "plein", "quantity": 2}]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pick {
    /// The item's key.
    pub key: String,
    /// How many.
    pub quantity: u32,
}

/// Everything the donor chose besides who they are, as sent by the widget.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Choices {
    /// The tiers, rates or reward picked.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Pick>,
    /// Whether the gift comes back every month.
    #[serde(skip_serializing_if = "is_false")]
    pub monthly: bool,
    /// Whether the donor adds the payment fees.
    #[serde(skip_serializing_if = "is_false")]
    pub cover_fees: bool,
    /// The promo code typed.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub promo_code: String,
    /// The answers to the campaign's questions, by key.
    #[serde(skip_serializing_if = "Answers::is_empty")]
    pub answers: Answers,
}

/// The answers to a campaign's questions by question key; a JSON object on the wire
/// (`{"taille": "M"}`). A campaign asks a few questions at most, so a short list serves, and
/// keeps the code of a map type out of the widget.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Answers(Vec<(String, String)>);

impl Answers {
    /// The answer to the question `key`, if one was given.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(given, _)| given == key)
            .map(|(_, answer)| answer.as_str())
    }

    /// Gives `answer` to the question `key`, replacing an earlier one.
    pub fn set(&mut self, key: String, answer: String) {
        match self.0.iter_mut().find(|(given, _)| *given == key) {
            Some((_, kept)) => *kept = answer,
            None => self.0.push((key, answer)),
        }
    }

    /// The keys answered.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(key, _)| key.as_str())
    }

    /// Each key with its answer, in the order given.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0
            .iter()
            .map(|(key, answer)| (key.as_str(), answer.as_str()))
    }

    /// Whether nothing was answered.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for Answers {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(key, answer)| (key, answer)))
    }
}

impl<'de> Deserialize<'de> for Answers {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AnswersVisitor;

        impl<'de> Visitor<'de> for AnswersVisitor {
            type Value = Answers;

            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("an object of answers")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Answers, A::Error> {
                let mut answers = Answers::default();
                while let Some((key, answer)) = map.next_entry::<String, String>()? {
                    if answers.0.len() == MAX_QUESTIONS {
                        return Err(de::Error::custom(
                            "more answers than a campaign has questions",
                        ));
                    }
                    if answers.get(&key).is_some() {
                        return Err(de::Error::custom("a question answered twice"));
                    }
                    answers.0.push((key, answer));
                }
                Ok(answers)
            }
        }

        deserializer.deserialize_map(AnswersVisitor)
    }
}

/// What a line of an order is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LineKind {
    /// A gift of the donor's chosen amount.
    Gift,
    /// A tier, rate or reward.
    Item,
    /// A promo code's discount (a negative amount).
    Discount,
    /// The payment fees the donor covers.
    Fee,
}

wire_names!(LineKind {
    Gift = "gift",
    Item = "item",
    Discount = "discount",
    Fee = "fee",
});

/// One line of an order; the lines add up to its total.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// What it is.
    pub kind: LineKind,
    /// The item's key, or the promo code; empty for a gift or a fee.
    pub key: String,
    /// What the donor and the treasurer read.
    pub label: String,
    /// How many.
    pub quantity: u32,
    /// The price of one, in minor units.
    pub unit: i64,
    /// `quantity × unit`, in minor units.
    pub amount: i64,
}

impl Line {
    fn new(kind: LineKind, key: &str, label: &str, quantity: u32, unit: i64) -> Self {
        Self {
            kind,
            key: key.to_owned(),
            label: label.to_owned(),
            quantity,
            unit,
            amount: unit * i64::from(quantity),
        }
    }
}

/// An order priced: its lines and its cleaned answers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Priced {
    /// The lines, in the order the donor reads them.
    pub lines: Vec<Line>,
    /// The answers given, by key, cleaned; unanswered optional questions are left out.
    pub answers: Vec<(String, String)>,
    /// Whether the gift comes back every month.
    pub monthly: bool,
}

/// The counter of an event's seats in all.
pub const CAPACITY_COUNTER: &str = "capacity";

impl Priced {
    /// The sum of the lines.
    pub fn total(&self) -> i64 {
        self.lines.iter().map(|line| line.amount).sum()
    }
}

impl Offer {
    /// Whether sales are open at `now` (Unix seconds).
    pub fn on_sale(&self, now: i64) -> bool {
        self.opens_at.is_none_or(|opens| now >= opens)
            && self.closes_at.is_none_or(|closes| now < closes)
    }

    /// The counters that limit this offer, with their capacities: the event's seats
    /// ([`CAPACITY_COUNTER`]), each item's quota (`item:{key}`), each promo code's uses
    /// (`promo:{code}`). An order holds one unit of a counter per seat of an event, per item
    /// with a quota and per use of a code, from its checkout until it is paid (for good) or
    /// given up (given back); the edge keeps this count in D1.
    pub fn counters(&self) -> Vec<(String, u32)> {
        let mut counters: Vec<(String, u32)> = self
            .capacity
            .map(|capacity| (CAPACITY_COUNTER.to_owned(), capacity))
            .into_iter()
            .collect();
        for item in &self.items {
            if let Some(quota) = item.quota {
                counters.push((format!("item:{}", item.key), quota));
            }
        }
        for code in &self.promo_codes {
            if let Some(limit) = code.limit {
                counters.push((format!("promo:{}", code.code), limit));
            }
        }
        counters
    }

    /// The settings cleaned (labels trimmed, keys given to new items and questions, codes in
    /// capitals), or every field at fault. `kind` decides which parts a campaign needs.
    pub fn checked(mut self, kind: CampaignKind) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut fail = |error: FieldError| errors.push(error);
        for item in &mut self.items {
            item.remaining = None;
        }

        let wants_items = !matches!(kind, CampaignKind::Donation);
        if !wants_items && !self.items.is_empty() || self.items.len() > MAX_ITEMS {
            fail(FieldError::new(Field::Items, FieldErrorCode::Invalid));
        }
        if matches!(kind, CampaignKind::Membership | CampaignKind::Event) && self.items.is_empty() {
            fail(FieldError::new(Field::Items, FieldErrorCode::Required));
        }
        let mut keys: Vec<String> = Vec::new();
        for (index, item) in self.items.iter_mut().enumerate() {
            item.label = clean_text(&item.label);
            let sound_price = item.price == 0
                && (kind != CampaignKind::Membership || item.open_price)
                || (LOWEST_MINIMUM..=HIGHEST_MAXIMUM).contains(&item.price);
            if item.label.is_empty() {
                fail(FieldError::at(
                    Field::Items,
                    index,
                    FieldErrorCode::Required,
                ));
            } else if item.label.chars().count() > MAX_LABEL_CHARS {
                fail(FieldError::at(Field::Items, index, FieldErrorCode::TooLong));
            } else if !sound_price
                || item.quota == Some(0)
                || item.per_order > MAX_PER_ORDER
                || item.open_price && kind != CampaignKind::Membership
            {
                fail(FieldError::at(Field::Items, index, FieldErrorCode::Invalid));
            }
            if kind != CampaignKind::Event {
                item.per_order = 0;
            }
            item.key = unique_key(&item.key, &item.label, &keys);
            keys.push(item.key.clone());
        }

        if kind != CampaignKind::Event {
            self.capacity = None;
            self.opens_at = None;
        }
        if self.capacity == Some(0) {
            fail(FieldError::new(Field::Capacity, FieldErrorCode::Invalid));
        }
        if let (Some(opens), Some(closes)) = (self.opens_at, self.closes_at)
            && opens >= closes
        {
            fail(FieldError::new(Field::ClosesAt, FieldErrorCode::Invalid));
        }
        if kind == CampaignKind::Crowdfunding && self.closes_at.is_none() {
            fail(FieldError::new(Field::ClosesAt, FieldErrorCode::Required));
        }

        if kind == CampaignKind::Membership {
            match self.validity {
                None => fail(FieldError::new(Field::Validity, FieldErrorCode::Required)),
                Some(validity) if !validity.is_sound() => {
                    fail(FieldError::new(Field::Validity, FieldErrorCode::Invalid));
                }
                Some(_) => {}
            }
            self.reminder_days.sort_unstable();
            self.reminder_days.dedup();
            if self.reminder_days.len() > MAX_REMINDERS
                || self
                    .reminder_days
                    .iter()
                    .any(|days| days.abs() > REMINDER_REACH_DAYS)
            {
                fail(FieldError::new(Field::Reminders, FieldErrorCode::Invalid));
            }
        } else {
            self.validity = None;
            self.reminder_days.clear();
        }
        if kind != CampaignKind::Donation {
            self.monthly = false;
        }
        if self.fee.is_some_and(|fee| {
            fee.basis_points > MAX_FEE_BASIS_POINTS || !(0..=MAX_FEE_FIXED).contains(&fee.fixed)
        }) {
            fail(FieldError::new(Field::Fee, FieldErrorCode::Invalid));
        }

        if self.questions.len() > MAX_QUESTIONS {
            fail(FieldError::new(Field::Questions, FieldErrorCode::TooLong));
        }
        let mut keys: Vec<String> = Vec::new();
        for (index, question) in self.questions.iter_mut().enumerate() {
            question.label = clean_text(&question.label);
            question.choices = question
                .choices
                .iter()
                .map(|choice| clean_text(choice))
                .filter(|choice| !choice.is_empty())
                .collect();
            question.choices.dedup();
            let wants_choices = question.kind == AnswerKind::Choice;
            if question.label.is_empty() {
                fail(FieldError::at(
                    Field::Questions,
                    index,
                    FieldErrorCode::Required,
                ));
            } else if question.label.chars().count() > MAX_LABEL_CHARS
                || question.choices.len() > MAX_CHOICES
                || question
                    .choices
                    .iter()
                    .any(|choice| choice.chars().count() > MAX_LABEL_CHARS)
            {
                fail(FieldError::at(
                    Field::Questions,
                    index,
                    FieldErrorCode::TooLong,
                ));
            } else if wants_choices == question.choices.is_empty() && wants_choices {
                fail(FieldError::at(
                    Field::Questions,
                    index,
                    FieldErrorCode::Invalid,
                ));
            }
            if !wants_choices {
                question.choices.clear();
            }
            question.key = unique_key(&question.key, &question.label, &keys);
            keys.push(question.key.clone());
        }

        if self.promo_codes.len() > MAX_PROMO_CODES {
            fail(FieldError::new(Field::PromoCodes, FieldErrorCode::TooLong));
        }
        let mut codes: Vec<String> = Vec::new();
        for (index, code) in self.promo_codes.iter_mut().enumerate() {
            code.code = PromoCode::normalise(&code.code);
            let well_formed = (3..=20).contains(&code.code.len())
                && code
                    .code
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
            let one_discount = match (code.percent_off, code.amount_off) {
                (Some(percent), None) => (1..=100).contains(&percent),
                (None, Some(amount)) => (1..=HIGHEST_MAXIMUM).contains(&amount),
                _ => false,
            };
            if !well_formed || !one_discount || code.limit == Some(0) || codes.contains(&code.code)
            {
                fail(FieldError::at(
                    Field::PromoCodes,
                    index,
                    FieldErrorCode::Invalid,
                ));
            }
            codes.push(code.code.clone());
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }

    /// The offer as the public sees it: promo codes replaced by whether the form asks for one.
    pub fn public(self) -> OfferView {
        OfferView {
            promo: !self.promo_codes.is_empty(),
            items: self.items,
            opens_at: self.opens_at,
            closes_at: self.closes_at,
            monthly: self.monthly,
            fee: self.fee,
            questions: self.questions,
        }
    }
}

impl OfferView {
    /// The lines of an order of `kind` for `choices` and the free `amount` the donor gave (a
    /// gift, a contribution, the price of a pay-what-you-want tier; 0 when none applies),
    /// with `promo` the campaign's code matching the one typed, if any. Every problem is
    /// pushed to `errors`.
    pub fn price(
        &self,
        kind: CampaignKind,
        rules: &DonationRules,
        amount: i64,
        choices: &Choices,
        promo: Option<&PromoCode>,
        errors: &mut Vec<FieldError>,
    ) -> Priced {
        let mut priced = Priced::default();
        let mut fail = |error: FieldError| errors.push(error);
        let within_rules = |amount: i64| {
            if amount < rules.min().minor {
                Err(FieldErrorCode::TooSmall)
            } else if amount > rules.max().minor {
                Err(FieldErrorCode::TooLarge)
            } else {
                Ok(amount)
            }
        };
        let mut picks = Vec::new();
        for pick in &choices.items {
            match self.items.iter().position(|item| item.key == pick.key) {
                Some(index) if !picks.iter().any(|(seen, _)| *seen == index) => {
                    picks.push((index, pick.quantity));
                }
                _ => fail(FieldError::new(Field::Items, FieldErrorCode::Invalid)),
            }
        }
        match kind {
            CampaignKind::Donation | CampaignKind::Crowdfunding => {
                match within_rules(amount) {
                    Ok(amount) => priced
                        .lines
                        .push(Line::new(LineKind::Gift, "", "", 1, amount)),
                    Err(code) => fail(FieldError::new(Field::Amount, code)),
                }
                let rewards = kind == CampaignKind::Crowdfunding;
                for &(index, quantity) in &picks {
                    let item = &self.items[index];
                    if !rewards || picks.len() > 1 || quantity != 1 {
                        fail(FieldError::at(Field::Items, index, FieldErrorCode::Invalid));
                    } else if amount < item.price {
                        fail(FieldError::at(
                            Field::Items,
                            index,
                            FieldErrorCode::TooSmall,
                        ));
                    } else {
                        priced
                            .lines
                            .push(Line::new(LineKind::Item, &item.key, &item.label, 1, 0));
                    }
                }
            }
            CampaignKind::Membership => match picks.as_slice() {
                [] => fail(FieldError::new(Field::Items, FieldErrorCode::Required)),
                &[(index, 1)] => {
                    let item = &self.items[index];
                    let price = if !item.open_price {
                        Ok(item.price)
                    } else if amount < item.price {
                        Err(FieldErrorCode::TooSmall)
                    } else {
                        within_rules(amount).or(Err(FieldErrorCode::TooLarge))
                    };
                    match price {
                        Ok(price) => priced.lines.push(Line::new(
                            LineKind::Item,
                            &item.key,
                            &item.label,
                            1,
                            price,
                        )),
                        Err(code) => fail(FieldError::at(Field::Amount, index, code)),
                    }
                }
                _ => fail(FieldError::new(Field::Items, FieldErrorCode::Invalid)),
            },
            CampaignKind::Event => {
                for &(index, quantity) in &picks {
                    let item = &self.items[index];
                    if quantity == 0 {
                        continue;
                    }
                    if quantity > item.most_per_order() {
                        fail(FieldError::at(
                            Field::Items,
                            index,
                            FieldErrorCode::TooLarge,
                        ));
                    } else {
                        priced.lines.push(Line::new(
                            LineKind::Item,
                            &item.key,
                            &item.label,
                            quantity,
                            item.price,
                        ));
                    }
                }
                if picks.iter().all(|(_, quantity)| *quantity == 0) {
                    fail(FieldError::new(Field::Items, FieldErrorCode::Required));
                }
            }
        }

        priced.monthly = choices.monthly;
        if choices.monthly && !(kind == CampaignKind::Donation && self.monthly) {
            fail(FieldError::new(Field::Monthly, FieldErrorCode::Invalid));
        }
        let subtotal = priced.total();
        let typed = PromoCode::normalise(&choices.promo_code);
        if !typed.is_empty() {
            match promo.filter(|code| code.code == typed && !choices.monthly) {
                Some(code) => {
                    let off = code.discount(subtotal);
                    priced
                        .lines
                        .push(Line::new(LineKind::Discount, &code.code, "", 1, -off));
                }
                None => fail(FieldError::new(Field::PromoCode, FieldErrorCode::Invalid)),
            }
        }
        if let Some(rule) = self.fee.filter(|_| choices.cover_fees) {
            let fee = rule.cover(priced.total());
            if fee > 0 {
                priced.lines.push(Line::new(LineKind::Fee, "", "", 1, fee));
            }
        }
        let total = priced.total();
        if total > 0 && total < LOWEST_MINIMUM {
            fail(FieldError::new(Field::Amount, FieldErrorCode::TooSmall));
        } else if total > HIGHEST_MAXIMUM {
            fail(FieldError::new(Field::Amount, FieldErrorCode::TooLarge));
        }

        for key in choices.answers.keys() {
            if !self.questions.iter().any(|question| question.key == key) {
                fail(FieldError::new(Field::Answer, FieldErrorCode::Invalid));
            }
        }
        for (index, question) in self.questions.iter().enumerate() {
            let answer = choices.answers.get(&question.key).unwrap_or_default();
            match question.check(answer) {
                Ok(Some(answer)) => priced.answers.push((question.key.clone(), answer)),
                Ok(None) => {}
                Err(code) => fail(FieldError::at(Field::Answer, index, code)),
            }
        }
        priced
    }
}

/// A key for an entry: the one it has, or one made from its label (`Tarif réduit` becomes
/// `tarif-reduit`), numbered when another entry already has it.
fn unique_key(kept: &str, label: &str, taken: &[String]) -> String {
    let well_formed = |key: &str| {
        (1..=40).contains(&key.len())
            && key
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    if well_formed(kept) && !taken.iter().any(|key| key == kept) {
        return kept.to_owned();
    }
    let mut base = String::new();
    for c in label.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'à' | 'â' | 'ä' | 'á' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' | 'í' => 'i',
            'ô' | 'ö' | 'ó' => 'o',
            'ù' | 'û' | 'ü' | 'ú' => 'u',
            'ç' => 'c',
            c if c.is_ascii_alphanumeric() => c,
            _ => '-',
        };
        if c != '-' || !base.is_empty() && !base.ends_with('-') {
            base.push(c);
        }
        if base.len() >= 32 {
            break;
        }
    }
    let base = base.trim_end_matches('-');
    let base = if base.is_empty() { "item" } else { base };
    let mut key = base.to_owned();
    let mut n = 2;
    while taken.contains(&key) {
        key = format!("{base}-{n}");
        n += 1;
    }
    key
}

fn is_false(value: &bool) -> bool {
    !value
}

fn is_zero(value: &u32) -> bool {
    *value == 0
}

#[cfg(test)]
mod tests;
