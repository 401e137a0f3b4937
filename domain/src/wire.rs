//! Wire names for the enums the widget reads, in one table per enum that serves both
//! directions. Serde's derive writes each name into the widget twice (the match and the list
//! of expected names for its error), and the widget's size is what donors on slow connections
//! pay for.

/// Gives a unit-only enum its names on the wire: `ALL`, `name`, `from_name`, and serde by name.
/// With `else Fallback`, a name this version does not know reads as `Fallback` rather than
/// failing, so that an older client reads a newer edge.
macro_rules! wire_names {
    ($ty:ident $(else $fallback:ident)? { $($variant:ident = $name:literal),+ $(,)? }) => {
        impl $ty {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// Its name on the wire, in snake case.
            pub fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $name),+
                }
            }

            /// The value called `name`.
            pub fn from_name(name: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|value| value.name() == name)
            }
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.name())
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let name = <String as serde::Deserialize>::deserialize(deserializer)?;
                let value = Self::from_name(&name);
                $(let value = Some(value.unwrap_or(Self::$fallback));)?
                value.ok_or_else(|| {
                    serde::de::Error::invalid_value(serde::de::Unexpected::Str(&name), &stringify!($ty))
                })
            }
        }
    };
}

pub(crate) use wire_names;
