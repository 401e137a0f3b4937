//! Everything the widget says, in French and English. Error codes from the domain and the edge
//! become sentences here, and nowhere else.

use tirelire_domain::api::ErrorCode;
use tirelire_domain::{DonationRules, Field, FieldErrorCode, Locale, Money};

/// The fixed texts of one language.
pub struct Texts {
    /// Above the preset amounts.
    pub amount_legend: &'static str,
    /// The choice that reveals the free amount field.
    pub other_amount: &'static str,
    /// The free amount field's label.
    pub custom_amount_label: &'static str,
    /// The first name field's label.
    pub first_name: &'static str,
    /// The last name field's label.
    pub last_name: &'static str,
    /// The email field's label.
    pub email: &'static str,
    /// Under the email field.
    pub email_hint: &'static str,
    /// Above the donor's details.
    pub details_legend: &'static str,
    /// While the campaign loads.
    pub loading: &'static str,
    /// The campaign could not be loaded.
    pub load_failed: &'static str,
    /// The button that tries again.
    pub retry: &'static str,
    /// On the button while the payment page is being opened.
    pub redirecting: &'static str,
    /// Under the button.
    pub secure_note: &'static str,
    /// The network failed during checkout.
    pub network_failed: &'static str,
    /// The PSP failed during checkout.
    pub provider_failed: &'static str,
    /// Anything else failed during checkout.
    pub unexpected_failure: &'static str,
    /// The page's origin is not allowed for this campaign.
    pub origin_refused: &'static str,
    /// Title of the cancelled message.
    pub cancelled_title: &'static str,
    /// Body of the cancelled message.
    pub cancelled_body: &'static str,
    /// Title of the thank-you message.
    pub thanks_title: &'static str,
    /// While the payment's confirmation is awaited.
    pub confirming: &'static str,
    /// The payment did not go through.
    pub not_paid: &'static str,
    /// The button that brings the form back.
    pub give_again: &'static str,
    /// The footer.
    pub powered_by: &'static str,
    /// The widget's accessible name.
    pub region_label: &'static str,
}

const FR: Texts = Texts {
    amount_legend: "Montant de votre don",
    other_amount: "Autre montant",
    custom_amount_label: "Votre montant, en euros",
    first_name: "Prénom",
    last_name: "Nom",
    email: "Adresse e-mail",
    email_hint: "Pour que l'association puisse vous confirmer votre don.",
    details_legend: "Vos coordonnées",
    loading: "Chargement du formulaire de don…",
    load_failed: "Le formulaire de don n'a pas pu être chargé. Vérifiez votre connexion puis réessayez.",
    retry: "Réessayer",
    redirecting: "Ouverture du paiement sécurisé…",
    secure_note: "Vous allez être redirigé vers une page de paiement sécurisée.",
    network_failed: "La connexion a échoué. Votre don n'a pas été enregistré\u{202f}; vérifiez votre connexion puis réessayez.",
    provider_failed: "Le service de paiement ne répond pas pour le moment. Rien n'a été prélevé\u{202f}; réessayez dans un instant.",
    unexpected_failure: "Une erreur inattendue s'est produite. Rien n'a été prélevé\u{202f}; réessayez dans un instant.",
    origin_refused: "Ce site n'est pas encore autorisé à recevoir des dons pour cette campagne. Si vous gérez ce site, ajoutez son adresse aux origines autorisées de la campagne.",
    cancelled_title: "Paiement annulé",
    cancelled_body: "Vous avez quitté la page de paiement\u{a0}: rien n'a été prélevé. Vous pouvez réessayer quand vous le souhaitez.",
    thanks_title: "Merci pour votre don\u{202f}!",
    confirming: "Votre paiement est en cours de confirmation\u{202f}; cela peut prendre quelques instants.",
    not_paid: "Le paiement n'a pas abouti et rien n'a été prélevé. Vous pouvez réessayer ci-dessous.",
    give_again: "Faire un autre don",
    powered_by: "Paiement sécurisé · Tirelire, logiciel libre",
    region_label: "Faire un don",
};

const EN: Texts = Texts {
    amount_legend: "Your donation",
    other_amount: "Other amount",
    custom_amount_label: "Your amount, in euros",
    first_name: "First name",
    last_name: "Last name",
    email: "Email address",
    email_hint: "So that the association can confirm your donation.",
    details_legend: "Your details",
    loading: "Loading the donation form…",
    load_failed: "The donation form could not be loaded. Check your connection and try again.",
    retry: "Try again",
    redirecting: "Opening the secure payment page…",
    secure_note: "You will be taken to a secure payment page.",
    network_failed: "The connection failed. Your donation was not recorded; check your connection and try again.",
    provider_failed: "The payment service is not answering right now. Nothing was charged; please try again in a moment.",
    unexpected_failure: "Something unexpected went wrong. Nothing was charged; please try again in a moment.",
    origin_refused: "This site is not yet allowed to collect donations for this campaign. If you run this site, add its address to the campaign's allowed origins.",
    cancelled_title: "Payment cancelled",
    cancelled_body: "You left the payment page, so nothing was charged. You can try again whenever you like.",
    thanks_title: "Thank you for your donation!",
    confirming: "Your payment is being confirmed; this can take a few moments.",
    not_paid: "The payment did not go through and nothing was charged. You can try again below.",
    give_again: "Make another donation",
    powered_by: "Secure payment · Tirelire, free software",
    region_label: "Make a donation",
};

/// The fixed texts for `locale`.
pub fn texts(locale: Locale) -> &'static Texts {
    match locale {
        Locale::Fr => &FR,
        Locale::En => &EN,
    }
}

/// The submit button: "Donner 20 €".
pub fn donate_button(locale: Locale, amount: Option<Money>) -> String {
    match (locale, amount) {
        (Locale::Fr, Some(amount)) => format!("Donner {}", amount.format(locale)),
        (Locale::Fr, None) => "Donner".into(),
        (Locale::En, Some(amount)) => format!("Donate {}", amount.format(locale)),
        (Locale::En, None) => "Donate".into(),
    }
}

/// "1 240 € collectés sur 1 500 €".
pub fn raised(locale: Locale, raised: Money, goal: Option<Money>) -> String {
    match (locale, goal) {
        (Locale::Fr, Some(goal)) => format!(
            "{} collectés sur {}",
            raised.format(locale),
            goal.format(locale)
        ),
        (Locale::Fr, None) => format!("{} collectés", raised.format(locale)),
        (Locale::En, Some(goal)) => format!(
            "{} raised of {}",
            raised.format(locale),
            goal.format(locale)
        ),
        (Locale::En, None) => format!("{} raised", raised.format(locale)),
    }
}

/// "12 dons".
pub fn donation_count(locale: Locale, count: i64) -> String {
    match (locale, count) {
        (Locale::Fr, 0) => "Soyez la première personne à donner".into(),
        (Locale::Fr, 1) => "1 don".into(),
        (Locale::Fr, n) => format!("{n} dons"),
        (Locale::En, 0) => "Be the first to give".into(),
        (Locale::En, 1) => "1 donation".into(),
        (Locale::En, n) => format!("{n} donations"),
    }
}

/// The thank-you line once the payment is confirmed.
pub fn thanks_paid(locale: Locale, amount: Money) -> String {
    match locale {
        Locale::Fr => format!(
            "Votre don de {} a bien été reçu. Merci de votre soutien\u{202f}!",
            amount.format(locale)
        ),
        Locale::En => format!(
            "Your donation of {} has been received. Thank you for your support!",
            amount.format(locale)
        ),
    }
}

/// The consent checkbox's label, which names the association.
pub fn consent(locale: Locale, organisation: &str) -> String {
    match locale {
        Locale::Fr => format!(
            "J'accepte que {organisation} conserve ces informations pour gérer mon don et me contacter à son sujet."
        ),
        Locale::En => format!(
            "I agree that {organisation} keeps these details to handle my donation and contact me about it."
        ),
    }
}

/// The message shown next to a field for an error code.
pub fn field_error(
    locale: Locale,
    field: Field,
    code: FieldErrorCode,
    rules: &DonationRules,
) -> String {
    use Field::*;
    use FieldErrorCode::*;
    let fr = locale == Locale::Fr;
    let text = match (field, code) {
        (Amount, Required) => {
            if fr {
                "Choisissez ou saisissez un montant."
            } else {
                "Choose or type an amount."
            }
        }
        (Amount, Invalid) => {
            if fr {
                "Saisissez un montant en euros, par exemple 25 ou 25,50."
            } else {
                "Type an amount in euros, such as 25 or 25.50."
            }
        }
        (Amount, TooSmall) => {
            return if fr {
                format!("Le don minimum est de {}.", rules.min().format(locale))
            } else {
                format!("The minimum donation is {}.", rules.min().format(locale))
            };
        }
        (Amount, TooLarge) => {
            return if fr {
                format!(
                    "Le don maximum en ligne est de {}.",
                    rules.max().format(locale)
                )
            } else {
                format!(
                    "The maximum online donation is {}.",
                    rules.max().format(locale)
                )
            };
        }
        (Currency, _) => {
            if fr {
                "Cette devise n'est pas acceptée."
            } else {
                "This currency is not accepted."
            }
        }
        (FirstName, Required) => {
            if fr {
                "Indiquez votre prénom."
            } else {
                "Enter your first name."
            }
        }
        (LastName, Required) => {
            if fr {
                "Indiquez votre nom."
            } else {
                "Enter your last name."
            }
        }
        (FirstName | LastName, TooLong) => {
            if fr {
                "100 caractères au maximum."
            } else {
                "100 characters at most."
            }
        }
        (Email, Required) => {
            if fr {
                "Indiquez votre adresse e-mail."
            } else {
                "Enter your email address."
            }
        }
        (Email, TooLong) => {
            if fr {
                "Cette adresse est trop longue."
            } else {
                "This address is too long."
            }
        }
        (Email, _) => {
            if fr {
                "Vérifiez l'adresse e-mail, par exemple camille@exemple.fr."
            } else {
                "Check the email address, for example sam@example.com."
            }
        }
        (Consent, _) => {
            if fr {
                "Cochez cette case pour continuer."
            } else {
                "Tick this box to continue."
            }
        }
        (_, _) => {
            if fr {
                "Vérifiez ce champ."
            } else {
                "Check this field."
            }
        }
    };
    text.into()
}

/// The message for a checkout the edge refused for a reason other than the fields.
pub fn checkout_failure(locale: Locale, code: Option<ErrorCode>) -> &'static str {
    let texts = texts(locale);
    match code {
        None => texts.network_failed,
        Some(ErrorCode::OriginNotAllowed | ErrorCode::InvalidReturnUrl) => texts.origin_refused,
        Some(ErrorCode::PaymentProviderError) => texts.provider_failed,
        Some(_) => texts.unexpected_failure,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tirelire_domain::Currency;

    fn rules() -> DonationRules {
        DonationRules {
            currency: Currency::Eur,
            min_amount: 100,
            max_amount: 1_000_000,
        }
    }

    #[test]
    fn limits_are_named_in_the_donors_language() {
        let fr = field_error(
            Locale::Fr,
            Field::Amount,
            FieldErrorCode::TooSmall,
            &rules(),
        );
        assert_eq!(fr, "Le don minimum est de 1\u{a0}€.");
        let en = field_error(
            Locale::En,
            Field::Amount,
            FieldErrorCode::TooLarge,
            &rules(),
        );
        assert_eq!(en, "The maximum online donation is €10,000.");
    }

    #[test]
    fn every_field_error_has_a_sentence_in_both_languages() {
        let fields = [
            Field::Amount,
            Field::Currency,
            Field::FirstName,
            Field::LastName,
            Field::Email,
            Field::Consent,
        ];
        let codes = [
            FieldErrorCode::Required,
            FieldErrorCode::Invalid,
            FieldErrorCode::TooLong,
            FieldErrorCode::TooSmall,
            FieldErrorCode::TooLarge,
            FieldErrorCode::Unsupported,
        ];
        for locale in [Locale::Fr, Locale::En] {
            for field in fields {
                for code in codes {
                    let text = field_error(locale, field, code, &rules());
                    assert!(text.ends_with('.'), "{locale:?} {field:?} {code:?}: {text}");
                }
            }
        }
    }

    #[test]
    fn button_names_the_amount() {
        let amount = Money::new(2000, Currency::Eur);
        assert_eq!(donate_button(Locale::Fr, Some(amount)), "Donner 20\u{a0}€");
        assert_eq!(donate_button(Locale::En, Some(amount)), "Donate €20");
    }
}
