//! Deliveries: services rendered under an agreement, recorded by the provider and accepted (or
//! disputed) by the recipient.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::Money;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DeliveryStatus {
    Recorded,
    Accepted,
    Disputed,
}

impl DeliveryStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            DeliveryStatus::Recorded => "recorded",
            DeliveryStatus::Accepted => "accepted",
            DeliveryStatus::Disputed => "disputed",
        }
    }
    pub fn parse(s: &str) -> Option<DeliveryStatus> {
        match s {
            "recorded" => Some(DeliveryStatus::Recorded),
            "accepted" => Some(DeliveryStatus::Accepted),
            "disputed" => Some(DeliveryStatus::Disputed),
            _ => None,
        }
    }
}

/// What the provider records: the content of a delivery. Two records with the same agreement
/// and external id must have the same content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Delivery {
    pub agreement: String,
    pub service: String,
    pub date: NaiveDate,
    pub quantity: Decimal,
    pub grade: Option<String>,
    pub expense: Option<Money>,
    pub description: String,
    pub external_id: String,
}

impl Delivery {
    /// Same content, whatever the notation of the decimals (1.5 and 1.50 are the same quantity).
    pub fn same_content(&self, other: &Delivery) -> bool {
        self == other
    }

    /// The fields that differ from `other`, for a clear error on a conflicting re-import.
    pub fn differences(&self, other: &Delivery) -> Vec<&'static str> {
        let mut out = vec![];
        if self.service != other.service {
            out.push("service");
        }
        if self.date != other.date {
            out.push("date");
        }
        if self.quantity != other.quantity {
            out.push("quantity");
        }
        if self.grade != other.grade {
            out.push("grade");
        }
        if self.expense != other.expense {
            out.push("expense");
        }
        if self.description != other.description {
            out.push("description");
        }
        out
    }
}

/// A delivery as stored: its content, its status and the closing that charged it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoredDelivery {
    pub id: i64,
    pub status: DeliveryStatus,
    /// The closing (agreement × period) whose charges include this delivery.
    pub closing: Option<i64>,
    #[serde(flatten)]
    pub delivery: Delivery,
}
