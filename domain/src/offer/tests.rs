use super::*;
use crate::Currency;

fn rules() -> DonationRules {
    DonationRules::new(Currency::Eur, 100, 1_000_000)
}

fn item(key: &str, price: i64) -> Item {
    Item {
        key: key.into(),
        label: key.to_uppercase(),
        price,
        ..Item::default()
    }
}

fn pick(key: &str, quantity: u32) -> Pick {
    Pick {
        key: key.into(),
        quantity,
    }
}

fn choose(items: &[Pick]) -> Choices {
    Choices {
        items: items.to_vec(),
        ..Choices::default()
    }
}

/// The lines' amounts and the errors of pricing `choices`.
fn price(
    offer: &Offer,
    kind: CampaignKind,
    amount: i64,
    choices: &Choices,
    promo: Option<&PromoCode>,
) -> (Priced, Vec<FieldError>) {
    let mut errors = Vec::new();
    let priced = offer
        .clone()
        .public()
        .price(kind, &rules(), amount, choices, promo, &mut errors);
    (priced, errors)
}

fn amounts(priced: &Priced) -> Vec<(LineKind, i64)> {
    priced
        .lines
        .iter()
        .map(|line| (line.kind, line.amount))
        .collect()
}

fn event() -> Offer {
    Offer {
        items: vec![
            Item {
                per_order: 6,
                quota: Some(10),
                ..item("plein", 1200)
            },
            Item {
                per_order: 6,
                ..item("reduit", 600)
            },
            Item {
                per_order: 2,
                ..item("gratuit", 0)
            },
        ],
        capacity: Some(50),
        ..Offer::default()
    }
}

#[test]
fn covering_the_fees_leaves_the_association_the_whole_gift() {
    let rule = FeeRule {
        basis_points: 150,
        fixed: 25,
    };
    for gift in [100, 2000, 5000, 12_345, 1_000_000] {
        let fee = rule.cover(gift);
        let total = gift + fee;
        let kept = total - (total * 150 + 9_999) / 10_000 - 25;
        assert!(kept >= gift, "{gift}: {total} leaves {kept}");
        // One cent less would not be enough.
        let short = total - 1;
        let short_kept = short - (short * 150 + 9_999) / 10_000 - 25;
        assert!(short_kept < gift, "{gift}: {fee} is not the least");
    }
    assert_eq!(rule.cover(2000), 56);
    assert_eq!(rule.cover(100), 27);
    assert_eq!(rule.cover(0), 0);
    assert_eq!(FeeRule::default().cover(2000), 0);
}

#[test]
fn a_donation_is_one_gift_line_plus_the_fee_the_donor_covers() {
    let offer = Offer {
        fee: Some(FeeRule {
            basis_points: 150,
            fixed: 25,
        }),
        monthly: true,
        ..Offer::default()
    };
    let choices = Choices {
        cover_fees: true,
        monthly: true,
        ..Choices::default()
    };
    let (priced, errors) = price(&offer, CampaignKind::Donation, 2000, &choices, None);
    assert_eq!(errors, []);
    assert_eq!(
        amounts(&priced),
        [(LineKind::Gift, 2000), (LineKind::Fee, 56)]
    );
    assert_eq!(priced.total(), 2056);
    assert!(priced.monthly);
}

#[test]
fn monthly_gifts_need_a_donation_campaign_that_offers_them() {
    let choices = Choices {
        monthly: true,
        ..Choices::default()
    };
    let (_, errors) = price(
        &Offer::default(),
        CampaignKind::Donation,
        2000,
        &choices,
        None,
    );
    assert_eq!(
        errors,
        [FieldError::new(Field::Monthly, FieldErrorCode::Invalid)]
    );
}

#[test]
fn a_fixed_tier_costs_its_price_whatever_amount_comes_with_it() {
    let offer = Offer {
        items: vec![item("plein", 3000), item("reduit", 1000)],
        ..Offer::default()
    };
    let (priced, errors) = price(
        &offer,
        CampaignKind::Membership,
        5,
        &choose(&[pick("reduit", 1)]),
        None,
    );
    assert_eq!(errors, []);
    assert_eq!(amounts(&priced), [(LineKind::Item, 1000)]);
    assert_eq!(priced.lines[0].label, "REDUIT");
}

#[test]
fn a_pay_what_you_want_tier_refuses_less_than_its_minimum() {
    let offer = Offer {
        items: vec![
            item("plein", 3000),
            Item {
                open_price: true,
                ..item("bienfaiteur", 5000)
            },
        ],
        ..Offer::default()
    };
    let choices = choose(&[pick("bienfaiteur", 1)]);
    let (_, errors) = price(&offer, CampaignKind::Membership, 4999, &choices, None);
    assert_eq!(
        errors,
        [FieldError::at(Field::Amount, 1, FieldErrorCode::TooSmall)]
    );
    let (priced, errors) = price(&offer, CampaignKind::Membership, 8000, &choices, None);
    assert_eq!(errors, []);
    assert_eq!(priced.total(), 8000);
}

#[test]
fn a_membership_is_exactly_one_tier() {
    let offer = Offer {
        items: vec![item("plein", 3000), item("reduit", 1000)],
        ..Offer::default()
    };
    for (picks, code) in [
        (vec![], FieldErrorCode::Required),
        (
            vec![pick("plein", 1), pick("reduit", 1)],
            FieldErrorCode::Invalid,
        ),
        (vec![pick("plein", 2)], FieldErrorCode::Invalid),
        (vec![pick("famille", 1)], FieldErrorCode::Invalid),
    ] {
        let (_, errors) = price(&offer, CampaignKind::Membership, 0, &choose(&picks), None);
        assert!(
            errors
                .iter()
                .any(|error| error.field == Field::Items && error.code == code),
            "{picks:?}: {errors:?}"
        );
    }
}

#[test]
fn tickets_are_priced_per_seat() {
    let (priced, errors) = price(
        &event(),
        CampaignKind::Event,
        0,
        &choose(&[pick("plein", 2), pick("reduit", 1), pick("gratuit", 0)]),
        None,
    );
    assert_eq!(errors, []);
    assert_eq!(
        amounts(&priced),
        [(LineKind::Item, 2400), (LineKind::Item, 600)]
    );
}

#[test]
fn ticket_quantities_stay_within_each_rate_s_limit() {
    let (_, errors) = price(
        &event(),
        CampaignKind::Event,
        0,
        &choose(&[pick("gratuit", 3)]),
        None,
    );
    assert_eq!(
        errors,
        [FieldError::at(Field::Items, 2, FieldErrorCode::TooLarge)]
    );
    let (_, errors) = price(
        &event(),
        CampaignKind::Event,
        0,
        &choose(&[pick("plein", 0)]),
        None,
    );
    assert_eq!(
        errors,
        [FieldError::new(Field::Items, FieldErrorCode::Required)]
    );
    let (_, errors) = price(
        &event(),
        CampaignKind::Event,
        0,
        &choose(&[pick("plein", 1), pick("plein", 1)]),
        None,
    );
    assert_eq!(
        errors,
        [FieldError::new(Field::Items, FieldErrorCode::Invalid)]
    );
}

#[test]
fn free_seats_come_to_zero_and_a_paid_total_under_fifty_cents_is_refused() {
    let (priced, errors) = price(
        &event(),
        CampaignKind::Event,
        0,
        &choose(&[pick("gratuit", 2)]),
        None,
    );
    assert_eq!(errors, []);
    assert_eq!(priced.total(), 0);
    let almost_free = PromoCode {
        code: "PRESQUE".into(),
        amount_off: Some(580),
        ..PromoCode::default()
    };
    let choices = Choices {
        promo_code: "presque".into(),
        ..choose(&[pick("reduit", 1)])
    };
    let (_, errors) = price(
        &event(),
        CampaignKind::Event,
        0,
        &choices,
        Some(&almost_free),
    );
    assert_eq!(
        errors,
        [FieldError::new(Field::Amount, FieldErrorCode::TooSmall)]
    );
}

#[test]
fn sales_are_open_only_within_their_window() {
    let offer = Offer {
        opens_at: Some(1000),
        closes_at: Some(2000),
        ..event()
    };
    assert!(!offer.on_sale(999));
    assert!(offer.on_sale(1000));
    assert!(offer.on_sale(1999));
    assert!(!offer.on_sale(2000));
    assert!(Offer::default().on_sale(0));
}

#[test]
fn a_promo_code_takes_its_share_before_fees() {
    let offer = Offer {
        fee: Some(FeeRule {
            basis_points: 0,
            fixed: 30,
        }),
        ..event()
    };
    let code = PromoCode {
        code: "BENEVOLE".into(),
        percent_off: Some(25),
        limit: Some(20),
        ..PromoCode::default()
    };
    let choices = Choices {
        promo_code: " benevole ".into(),
        cover_fees: true,
        ..choose(&[pick("plein", 1)])
    };
    let (priced, errors) = price(&offer, CampaignKind::Event, 0, &choices, Some(&code));
    assert_eq!(errors, []);
    assert_eq!(
        amounts(&priced),
        [
            (LineKind::Item, 1200),
            (LineKind::Discount, -300),
            (LineKind::Fee, 30)
        ]
    );
    assert_eq!(priced.lines[1].key, "BENEVOLE");
}

#[test]
fn an_unknown_promo_code_is_named() {
    let choices = Choices {
        promo_code: "NOEL".into(),
        ..choose(&[pick("plein", 1)])
    };
    let (_, errors) = price(&event(), CampaignKind::Event, 0, &choices, None);
    assert_eq!(
        errors,
        [FieldError::new(Field::PromoCode, FieldErrorCode::Invalid)]
    );
}

#[test]
fn discounts_never_exceed_the_subtotal() {
    let fixed = PromoCode {
        code: "X".into(),
        amount_off: Some(5000),
        ..PromoCode::default()
    };
    assert_eq!(fixed.discount(1200), 1200);
    let share = PromoCode {
        percent_off: Some(33),
        ..PromoCode::default()
    };
    assert_eq!(share.discount(1000), 330);
    assert_eq!(share.discount(999), 329);
}

#[test]
fn a_reward_needs_a_contribution_of_at_least_its_minimum() {
    let offer = Offer {
        items: vec![
            item("carte", 1000),
            Item {
                quota: Some(30),
                ..item("sac", 3000)
            },
        ],
        closes_at: Some(2_000_000_000),
        ..Offer::default()
    };
    let choices = choose(&[pick("sac", 1)]);
    let (_, errors) = price(&offer, CampaignKind::Crowdfunding, 2500, &choices, None);
    assert_eq!(
        errors,
        [FieldError::at(Field::Items, 1, FieldErrorCode::TooSmall)]
    );
    let (priced, errors) = price(&offer, CampaignKind::Crowdfunding, 3000, &choices, None);
    assert_eq!(errors, []);
    assert_eq!(
        amounts(&priced),
        [(LineKind::Gift, 3000), (LineKind::Item, 0)]
    );
    assert_eq!(priced.lines[1].key, "sac");
}

fn question(kind: AnswerKind, required: bool) -> Question {
    Question {
        key: "q".into(),
        label: "Q".into(),
        kind,
        required,
        choices: vec!["S".into(), "M".into(), "L".into()],
    }
}

#[test]
fn every_kind_of_answer_is_checked() {
    use AnswerKind::*;
    type Case<'a> = (AnswerKind, &'a str, Result<Option<&'a str>, FieldErrorCode>);
    let cases: &[Case] = &[
        (Text, "  Lucie\u{200B} ", Ok(Some("Lucie"))),
        (Text, "", Ok(None)),
        (
            Text,
            &"x".repeat(MAX_ANSWER_CHARS + 1),
            Err(FieldErrorCode::TooLong),
        ),
        (
            LongText,
            " une ligne\n\u{202E}deux ",
            Ok(Some("une ligne\ndeux")),
        ),
        (Number, "12", Ok(Some("12"))),
        (Number, "-1,5", Ok(Some("-1,5"))),
        (Number, "0.25", Ok(Some("0.25"))),
        (Number, "1e3", Err(FieldErrorCode::Invalid)),
        (Number, "1,", Err(FieldErrorCode::Invalid)),
        (Number, "douze", Err(FieldErrorCode::Invalid)),
        (Date, "2026-07-14", Ok(Some("2026-07-14"))),
        (Date, "14/07/2026", Err(FieldErrorCode::Invalid)),
        (Date, "2026-02-30", Err(FieldErrorCode::Invalid)),
        (YesNo, "yes", Ok(Some("yes"))),
        (YesNo, "no", Ok(Some("no"))),
        (YesNo, "oui", Err(FieldErrorCode::Invalid)),
        (Choice, "M", Ok(Some("M"))),
        (Choice, "XL", Err(FieldErrorCode::Invalid)),
    ];
    for (kind, answer, expected) in cases {
        let got = question(*kind, false).check(answer);
        assert_eq!(
            got,
            expected.map(|ok| ok.map(str::to_owned)),
            "{kind:?} {answer:?}"
        );
    }
}

#[test]
fn required_questions_must_be_answered_and_required_boxes_ticked() {
    assert_eq!(
        question(AnswerKind::Text, true).check(" "),
        Err(FieldErrorCode::Required)
    );
    assert_eq!(
        question(AnswerKind::YesNo, true).check("no"),
        Err(FieldErrorCode::Required)
    );
    assert_eq!(
        question(AnswerKind::YesNo, true).check("yes"),
        Ok(Some("yes".into()))
    );
}

#[test]
fn answers_are_checked_with_the_order_and_unknown_ones_refused() {
    let offer = Offer {
        questions: vec![
            Question {
                key: "taille".into(),
                ..question(AnswerKind::Choice, true)
            },
            Question {
                key: "allergies".into(),
                ..question(AnswerKind::Text, false)
            },
        ],
        ..Offer::default()
    };
    let mut choices = Choices::default();
    choices.answers.set("taille".into(), "M".into());
    choices.answers.set("allergies".into(), String::new());
    let (priced, errors) = price(&offer, CampaignKind::Donation, 2000, &choices, None);
    assert_eq!(errors, []);
    assert_eq!(priced.answers, [("taille".to_owned(), "M".to_owned())]);
    choices.answers.set("taille".into(), "XXL".into());
    choices.answers.set("pirate".into(), "x".into());
    let (_, errors) = price(&offer, CampaignKind::Donation, 2000, &choices, None);
    assert_eq!(
        errors,
        [
            FieldError::new(Field::Answer, FieldErrorCode::Invalid),
            FieldError::at(Field::Answer, 0, FieldErrorCode::Invalid),
        ]
    );
}

#[test]
fn settings_get_keys_from_their_labels_and_keep_them_once_given() {
    let offer = Offer {
        items: vec![
            Item {
                label: " Tarif réduit ".into(),
                price: 1000,
                ..Item::default()
            },
            Item {
                label: "Tarif réduit".into(),
                price: 2000,
                ..Item::default()
            },
            Item {
                key: "plein".into(),
                label: "Plein tarif (renommé)".into(),
                price: 3000,
                ..Item::default()
            },
        ],
        validity: Some(Validity::CalendarYear),
        reminder_days: vec![7, -30, 7],
        promo_codes: vec![PromoCode {
            code: " bienvenue ".into(),
            percent_off: Some(10),
            ..PromoCode::default()
        }],
        ..Offer::default()
    };
    let checked = offer
        .checked(CampaignKind::Membership)
        .unwrap_or_else(|errors| panic!("{errors:?}"));
    let keys: Vec<&str> = checked.items.iter().map(|item| item.key.as_str()).collect();
    assert_eq!(keys, ["tarif-reduit", "tarif-reduit-2", "plein"]);
    assert_eq!(checked.items[0].label, "Tarif réduit");
    assert_eq!(checked.reminder_days, [-30, 7]);
    assert_eq!(checked.promo_codes[0].code, "BIENVENUE");
    assert!(checked.public().promo);
}

#[test]
fn each_kind_asks_for_what_it_needs() {
    let errors = |offer: Offer, kind| offer.checked(kind).err().unwrap_or_default();
    assert_eq!(
        errors(Offer::default(), CampaignKind::Membership),
        [
            FieldError::new(Field::Items, FieldErrorCode::Required),
            FieldError::new(Field::Validity, FieldErrorCode::Required),
        ]
    );
    assert_eq!(
        errors(Offer::default(), CampaignKind::Event),
        [FieldError::new(Field::Items, FieldErrorCode::Required)]
    );
    assert_eq!(
        errors(Offer::default(), CampaignKind::Crowdfunding),
        [FieldError::new(Field::ClosesAt, FieldErrorCode::Required)]
    );
    assert_eq!(
        errors(event(), CampaignKind::Donation),
        [FieldError::new(Field::Items, FieldErrorCode::Invalid)]
    );
    assert!(Offer::default().checked(CampaignKind::Donation).is_ok());
}

#[test]
fn wrong_settings_are_named_entry_by_entry() {
    let offer = Offer {
        items: vec![
            Item {
                label: String::new(),
                price: 1000,
                ..Item::default()
            },
            Item {
                price: 20,
                ..item("cher", 0)
            },
            Item {
                per_order: MAX_PER_ORDER + 1,
                ..item("groupe", 1000)
            },
        ],
        capacity: Some(0),
        opens_at: Some(2000),
        closes_at: Some(1000),
        fee: Some(FeeRule {
            basis_points: 5000,
            fixed: 0,
        }),
        questions: vec![Question {
            label: "Taille".into(),
            kind: AnswerKind::Choice,
            ..Question::default()
        }],
        promo_codes: vec![
            PromoCode {
                code: "AB".into(),
                percent_off: Some(10),
                ..PromoCode::default()
            },
            PromoCode {
                code: "DOUBLE".into(),
                percent_off: Some(10),
                amount_off: Some(100),
                ..PromoCode::default()
            },
            PromoCode {
                code: "TROP".into(),
                percent_off: Some(101),
                ..PromoCode::default()
            },
        ],
        ..Offer::default()
    };
    assert_eq!(
        offer.checked(CampaignKind::Event).err().unwrap_or_default(),
        [
            FieldError::at(Field::Items, 0, FieldErrorCode::Required),
            FieldError::at(Field::Items, 1, FieldErrorCode::Invalid),
            FieldError::at(Field::Items, 2, FieldErrorCode::Invalid),
            FieldError::new(Field::Capacity, FieldErrorCode::Invalid),
            FieldError::new(Field::ClosesAt, FieldErrorCode::Invalid),
            FieldError::new(Field::Fee, FieldErrorCode::Invalid),
            FieldError::at(Field::Questions, 0, FieldErrorCode::Invalid),
            FieldError::at(Field::PromoCodes, 0, FieldErrorCode::Invalid),
            FieldError::at(Field::PromoCodes, 1, FieldErrorCode::Invalid),
            FieldError::at(Field::PromoCodes, 2, FieldErrorCode::Invalid),
        ]
    );
}

#[test]
fn counters_name_the_seats_the_quotas_and_the_limited_codes() {
    let offer = Offer {
        promo_codes: vec![
            PromoCode {
                code: "BENEVOLE".into(),
                percent_off: Some(50),
                limit: Some(5),
                ..PromoCode::default()
            },
            PromoCode {
                code: "AMI".into(),
                percent_off: Some(10),
                ..PromoCode::default()
            },
        ],
        ..event()
    };
    assert_eq!(
        offer.counters(),
        [
            ("capacity".to_owned(), 50),
            ("item:plein".to_owned(), 10),
            ("promo:BENEVOLE".to_owned(), 5)
        ]
    );
}

#[test]
fn the_public_offer_keeps_a_small_json_shape_without_the_settings() {
    let json = serde_json::to_value(event().public()).unwrap_or_default();
    assert_eq!(
        json,
        serde_json::json!({
            "items": [
                {"key": "plein", "label": "PLEIN", "price": 1200, "quota": 10, "per_order": 6},
                {"key": "reduit", "label": "REDUIT", "price": 600, "per_order": 6},
                {"key": "gratuit", "label": "GRATUIT", "price": 0, "per_order": 2}
            ]
        })
    );
    let back: Result<OfferView, _> = serde_json::from_value(json);
    assert_eq!(back.ok(), Some(event().public()));
    let settings = serde_json::to_value(event()).unwrap_or_default();
    assert_eq!(settings["capacity"], 50);
    let validity: Result<Validity, _> =
        serde_json::from_str(r#"{"type":"rolling_months","months":12}"#);
    assert_eq!(validity.ok(), Some(Validity::RollingMonths { months: 12 }));
}

#[test]
fn answers_travel_as_an_object_and_a_question_answered_twice_is_refused() {
    let mut answers = Answers::default();
    answers.set("taille".into(), "M".into());
    answers.set("taille".into(), "L".into());
    answers.set("allergies".into(), "aucune".into());
    let json = serde_json::to_value(&answers).unwrap_or_default();
    assert_eq!(
        json,
        serde_json::json!({"taille": "L", "allergies": "aucune"})
    );
    let text = serde_json::to_string(&answers).unwrap_or_default();
    let back: Answers = serde_json::from_str(&text).unwrap_or_default();
    assert_eq!(back, answers);
    assert_eq!(back.get("taille"), Some("L"));
    assert_eq!(back.get("pirate"), None);

    let twice = serde_json::from_str::<Answers>(r#"{"taille": "M", "taille": "L"}"#);
    assert!(twice.is_err());
    let many: String = (0..=MAX_QUESTIONS)
        .map(|index| format!(r#""q{index}": "x""#))
        .collect::<Vec<_>>()
        .join(",");
    let too_many = serde_json::from_str::<Answers>(&format!("{{{many}}}"));
    assert!(too_many.is_err());
    let not_text = serde_json::from_str::<Answers>(r#"{"taille": 3}"#);
    assert!(not_text.is_err());
}
