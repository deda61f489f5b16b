//! A portal user's scope: what their grants let them see. Built once per request
//! from the grants and applied to every portal query, so there is exactly one
//! place that decides visibility by customer and location.

use std::collections::BTreeSet;

use sha2::{Digest, Sha256};

/// One grant as stored: a whole customer, or some of its locations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub customer_id: String,
    pub whole_customer: bool,
    pub location_ids: Vec<String>,
    pub can_download: bool,
}

/// Whose requests a viewer sees within their scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Requests {
    /// Only the ones they submitted themselves.
    #[default]
    Own,
    /// Every one made within the scope: a customer admin's.
    Colleagues,
}

/// The union of a user's grants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// Customers visible with all their locations.
    pub customers: BTreeSet<String>,
    /// Single locations visible (of customers not granted whole).
    pub locations: BTreeSet<String>,
    /// The subsets of the above whose attachments may be downloaded.
    pub download_customers: BTreeSet<String>,
    pub download_locations: BTreeSet<String>,
    /// Whose requests are visible in the scope.
    pub requests: Requests,
}

impl Scope {
    /// The union of `grants`. A location of a customer also granted whole is
    /// covered by that customer alone, so no row is in scope twice over.
    pub fn from_grants(grants: &[Grant]) -> Self {
        let mut scope = Scope::default();
        let whole: BTreeSet<&str> =
            grants.iter().filter(|g| g.whole_customer).map(|g| g.customer_id.as_str()).collect();
        for grant in grants {
            if grant.whole_customer {
                scope.customers.insert(grant.customer_id.clone());
                if grant.can_download {
                    scope.download_customers.insert(grant.customer_id.clone());
                }
            } else {
                if !whole.contains(grant.customer_id.as_str()) {
                    scope.locations.extend(grant.location_ids.iter().cloned());
                }
                if grant.can_download {
                    scope.download_locations.extend(grant.location_ids.iter().cloned());
                }
            }
        }
        scope
    }

    /// The same scope for a customer admin, who sees every request made within it.
    pub fn for_customer_admin(mut self, customer_admin: bool) -> Self {
        self.requests = if customer_admin { Requests::Colleagues } else { Requests::Own };
        self
    }

    /// Whether `grant` lies within this scope: everything it covers is covered here,
    /// and downloads it allows are allowed here. What a customer admin may hand out
    /// or manage is exactly what this accepts, so an admin can never widen access.
    pub fn holds(&self, grant: &Grant) -> bool {
        if grant.whole_customer {
            self.customers.contains(&grant.customer_id)
                && (!grant.can_download || self.download_customers.contains(&grant.customer_id))
        } else {
            !grant.location_ids.is_empty()
                && grant.location_ids.iter().all(|location| {
                    self.covers(&grant.customer_id, location)
                        && (!grant.can_download || self.may_download(&grant.customer_id, location))
                })
        }
    }

    /// Whether a user holding `grants` lies wholly within this scope; a user without
    /// grants does not (staff deal with them).
    pub fn holds_all(&self, grants: &[Grant]) -> bool {
        !grants.is_empty() && grants.iter().all(|grant| self.holds(grant))
    }

    /// True when no grant is left: the user may see nothing and is signed out.
    pub fn is_empty(&self) -> bool {
        self.customers.is_empty() && self.locations.is_empty()
    }

    /// Whether a record at this customer and location is visible.
    pub fn covers(&self, customer_id: &str, location_id: &str) -> bool {
        self.customers.contains(customer_id) || self.locations.contains(location_id)
    }

    /// Whether attachments at this customer and location may be downloaded.
    pub fn may_download(&self, customer_id: &str, location_id: &str) -> bool {
        self.download_customers.contains(customer_id) || self.download_locations.contains(location_id)
    }

    /// Changes whenever the scope changes; sync cursors carry it so that a client
    /// whose scope changed is told to start over.
    pub fn fingerprint(&self) -> String {
        let mut hasher = Sha256::new();
        for (tag, set) in [
            ("c", &self.customers),
            ("l", &self.locations),
            ("dc", &self.download_customers),
            ("dl", &self.download_locations),
        ] {
            for id in set {
                hasher.update(tag.as_bytes());
                hasher.update(b":");
                hasher.update(id.as_bytes());
                hasher.update(b"\n");
            }
        }
        if self.requests == Requests::Colleagues {
            hasher.update(b"requests:colleagues\n");
        }
        hex::encode(&hasher.finalize()[..8])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(customer: &str, locations: &[&str], can_download: bool) -> Grant {
        Grant {
            customer_id: customer.into(),
            whole_customer: locations.is_empty(),
            location_ids: locations.iter().map(|l| l.to_string()).collect(),
            can_download,
        }
    }

    #[test]
    fn whole_customer_covers_every_location_of_it_only() {
        let scope = Scope::from_grants(&[grant("northwind", &[], true)]);
        assert!(scope.covers("northwind", "any-location"));
        assert!(!scope.covers("contoso", "any-location"));
        assert!(scope.may_download("northwind", "x"));
    }

    #[test]
    fn location_grants_cover_only_those_locations() {
        let scope = Scope::from_grants(&[grant("northwind", &["marina"], false)]);
        assert!(scope.covers("northwind", "marina"));
        assert!(!scope.covers("northwind", "berlin"), "an ungranted location of the same customer");
        assert!(!scope.may_download("northwind", "marina"), "the grant forbids downloads");
    }

    #[test]
    fn downloads_follow_the_grant_that_covers_the_record() {
        let scope = Scope::from_grants(&[grant("northwind", &["marina"], true), grant("contoso", &[], false)]);
        assert!(scope.may_download("northwind", "marina"));
        assert!(!scope.may_download("contoso", "munich"));
        assert!(scope.covers("contoso", "munich"));
    }

    #[test]
    fn a_whole_customer_grant_absorbs_location_grants_of_that_customer() {
        let scope = Scope::from_grants(&[grant("northwind", &["marina"], true), grant("northwind", &[], false)]);
        assert!(scope.locations.is_empty(), "the customer's arm covers the location");
        assert!(scope.covers("northwind", "marina"));
        assert!(scope.may_download("northwind", "marina"), "the location grant still allows downloads");
    }

    #[test]
    fn a_grant_lies_within_a_scope_only_when_nothing_widens() {
        let whole = Scope::from_grants(&[grant("northwind", &[], true)]);
        let site = Scope::from_grants(&[grant("northwind", &["marina"], false)]);
        let cases = [
            (&whole, grant("northwind", &[], true), true, "the admin's own whole-customer grant"),
            (&whole, grant("northwind", &["berlin"], true), true, "a location of the customer held whole"),
            (&whole, grant("contoso", &["munich"], false), false, "another customer's location"),
            (&whole, grant("contoso", &[], false), false, "another customer"),
            (&site, grant("northwind", &["marina"], false), true, "the admin's own location"),
            (&site, grant("northwind", &["berlin"], false), false, "a location of theirs not granted"),
            (&site, grant("northwind", &["marina"], true), false, "downloads the admin lacks"),
            (&site, grant("northwind", &[], false), false, "the whole customer for a site-scoped admin"),
            (&site, grant("northwind", &["marina", "berlin"], false), false, "one location too many"),
        ];
        for (scope, grant, within, case) in cases {
            assert_eq!(scope.holds(&grant), within, "{case}");
        }
        assert!(!whole.holds_all(&[]), "a user without grants is nobody's colleague");
        assert!(!site.holds_all(&[grant("northwind", &["marina"], false), grant("contoso", &[], false)]));
    }

    #[test]
    fn a_customer_admin_scope_fingerprints_apart() {
        let plain = Scope::from_grants(&[grant("northwind", &[], true)]);
        let admin = plain.clone().for_customer_admin(true);
        assert_eq!(admin.requests, Requests::Colleagues);
        assert_ne!(plain.fingerprint(), admin.fingerprint(), "a change of role restarts sync");
        assert_eq!(plain.fingerprint(), admin.for_customer_admin(false).fingerprint());
    }

    #[test]
    fn no_grants_means_empty_scope_and_fingerprints_differ() {
        let empty = Scope::from_grants(&[]);
        assert!(empty.is_empty());
        assert!(!empty.covers("northwind", "marina"));
        let a = Scope::from_grants(&[grant("northwind", &["marina"], true)]);
        let b = Scope::from_grants(&[grant("northwind", &["marina"], false)]);
        assert_ne!(a.fingerprint(), b.fingerprint());
        assert_eq!(a.fingerprint(), Scope::from_grants(&[grant("northwind", &["marina"], true)]).fingerprint());
    }
}
