//! Splits of an amount and cost-pool allocations (rule 6 of the design brief).
//!
//! An amount is split between parts by the largest-remainder (Hamilton) method, so that the
//! parts always add up to the whole to the minor unit. When cost pools serve each other (the
//! MC administration pool serves the BRS conference pool and the other way round), the
//! reciprocal method solves the simultaneous equations exactly; the step-down method is
//! offered too. Every figure is exact (rationals) until the final rounding, and the allocated
//! totals equal the pool totals exactly.
//!
//! Pools and final cost objects are taken in the order of their codes, so the outcome does
//! not depend on the order in which the pools are given. Several usage lines of one pool for
//! the same receiver add up. A negative direct cost (a credit) is allowed, and a system whose
//! direct costs are all negated is allocated as the exact mirror image of the original.

use std::collections::{BTreeMap, BTreeSet};

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::{decimal_to_rational, round_half_even};
use crate::DomainError;
use crate::Message;

/// A cost pool: an activity whose cost is shared out to those who use its services (another
/// pool, or a final cost object such as a trust fund).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostPool {
    pub code: String,
    /// The pool's own (direct) cost in minor units.
    pub direct_minor: i64,
    /// How the pool's services are consumed: weights per receiver (another pool's code or a
    /// final cost object's code, e.g. a trust fund). Weights are relative (they need not sum
    /// to 1).
    pub usage: Vec<Usage>,
}

/// One line of a pool's usage: who consumes its services, and how much (relative weight).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub receiver: String,
    pub weight: Decimal,
}

/// The outcome of a cost-pool allocation, in minor units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    /// Final cost objects and what each receives in total, sorted by code.
    pub objects: Vec<(String, i64)>,
    /// Per pool, what it passes on to each final cost object (minor units), sorted; for
    /// transparency.
    pub flows: Vec<AllocationFlow>,
    /// Per pool, its total cost after the services received from the other pools, rounded
    /// half to even to minor units (informational).
    pub pool_totals: Vec<(String, i64)>,
}

/// What one pool passes on to one final cost object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocationFlow {
    pub pool: String,
    pub object: String,
    pub amount_minor: i64,
}

/// Splits an amount of minor units into parts proportional to `weights` by the
/// largest-remainder (Hamilton) method.
///
/// Each part first gets the whole minor units of its exact share; the units left over go one
/// each to the parts with the largest fractions left, ties going to the earlier part. The
/// parts always add up exactly to `total_minor`, each part is less than one minor unit away
/// from its exact share, and a part with weight zero gets nothing. A negative amount is split
/// as the mirror image of the positive one, so a reversal undoes the original to the unit.
///
/// Refused: no weights, a negative weight, or only zero weights.
pub fn split_largest_remainder(
    total_minor: i64,
    weights: &[Decimal],
) -> Result<Vec<i64>, DomainError> {
    if weights.is_empty() {
        return Err(refuse(
            "cannot split an amount between no parts: give at least one weight",
        ));
    }
    if let Some((i, w)) = weights
        .iter()
        .enumerate()
        .find(|(_, w)| **w < Decimal::ZERO)
    {
        return Err(refuse(format!(
            "weight {w} of part {} is negative; split weights must be zero or positive",
            i + 1
        )));
    }
    let weights: Vec<BigRational> = weights.iter().map(|w| decimal_to_rational(*w)).collect();
    let weight_sum: BigRational = weights.iter().sum();
    if weight_sum.is_zero() {
        return Err(refuse(
            "all split weights are zero, so nothing says how to share the amount",
        ));
    }
    let total = BigInt::from(total_minor);
    let whole = BigRational::from_integer(total.clone());
    let quotas: Vec<BigRational> = weights.iter().map(|w| &whole * w / &weight_sum).collect();
    largest_remainder(&quotas, &total)
        .into_iter()
        .map(to_minor)
        .collect()
}

/// Allocates the pools' costs to the final cost objects by the reciprocal method.
///
/// Each pool's total cost is its direct cost plus its share of the services of every pool it
/// uses: `T_i = D_i + Σ_j s_ji · T_j`, where `s_ji` is pool j's usage weight for pool i over
/// the sum of pool j's weights. These simultaneous equations are solved exactly; each final
/// cost object then receives `Σ_i s_io · T_i`. The amounts are rounded by the largest
/// remainder so that the objects add up exactly to the sum of the direct costs, and each
/// object's flows add up exactly to what it receives.
///
/// Refused: no pools, a pool code given twice, a pool listing itself, a negative weight, a
/// pool with a cost but no usage, no final cost object, pools whose costs only circulate among
/// pools and never reach a final cost object, and a pool that receives services but does not
/// say who consumes its own.
pub fn reciprocal(pools: &[CostPool]) -> Result<Allocation, DomainError> {
    let network = Network::from_pools(pools)?;
    let exact = reciprocal_exact(&network)?;
    round_allocation(&network, &exact)
}

/// Allocates the pools' costs to the final cost objects by the step-down method.
///
/// The pools are closed one after the other in `order` (each pool code exactly once). A pool
/// passes on its direct cost plus what it received from the pools closed before it, to the
/// pools closed after it and to the final cost objects; its usage weights for pools already
/// closed are ignored and the remaining weights re-normalised. The amounts are rounded as in
/// [`reciprocal`], so the objects add up exactly to the sum of the direct costs.
///
/// Refused: no pools, a pool code given twice, a pool listing itself, a negative weight, a
/// pool with a cost but no usage, no final cost object, an order that is not exactly the list
/// of pool codes, and a pool that holds a cost when it is closed but serves no pool closed
/// after it and no final cost object.
pub fn step_down(pools: &[CostPool], order: &[String]) -> Result<Allocation, DomainError> {
    let network = Network::from_pools(pools)?;
    let order = network.closing_order(order)?;
    let exact = step_down_exact(&network, &order)?;
    round_allocation(&network, &exact)
}

/// The allocation's refusals are not yet in the translation files: shown as written.
fn refuse(message: impl Into<String>) -> DomainError {
    DomainError::Allocation(Message::literal(message.into()))
}

fn to_minor(amount: BigInt) -> Result<i64, DomainError> {
    amount.to_i64().ok_or_else(|| {
        refuse(format!(
            "an allocated amount of {amount} minor units is larger than Synergies can hold"
        ))
    })
}

/// Rounds exact quotas to whole minor units adding up to `target`, by the largest remainder.
///
/// Each quota gets its floor; the units still missing to reach `target` go one each to the
/// quotas with the largest fractional remainders, ties to the lower index. `target` must lie
/// between the floor and the ceiling of the sum of the quotas (it equals the sum when an
/// amount is split), so every part ends less than one unit from its quota. A negative target
/// is rounded as the mirror image of the positive one.
fn largest_remainder(quotas: &[BigRational], target: &BigInt) -> Vec<BigInt> {
    if target.is_negative() {
        let mirrored: Vec<BigRational> = quotas.iter().map(|q| -q).collect();
        return largest_remainder(&mirrored, &-target)
            .into_iter()
            .map(|part| -part)
            .collect();
    }
    let mut parts: Vec<BigInt> = quotas.iter().map(|q| q.floor().to_integer()).collect();
    let remainders: Vec<BigRational> = quotas.iter().map(|q| q - q.floor()).collect();
    let allotted: BigInt = parts.iter().sum();
    let mut leftover = target - allotted;
    let mut by_remainder: Vec<usize> = (0..quotas.len()).collect();
    // A stable sort keeps the lower index first among equal remainders.
    by_remainder.sort_by(|&a, &b| remainders[b].cmp(&remainders[a]));
    for i in by_remainder {
        if !leftover.is_positive() {
            break;
        }
        parts[i] += 1;
        leftover -= 1;
    }
    debug_assert!(leftover.is_zero(), "target out of reach of the quotas");
    parts
}

/// Who receives a pool's services: another pool or a final cost object (by index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Receiver {
    Pool(usize),
    Object(usize),
}

/// The cost pools checked and in exact form; pools and final cost objects are sorted by code,
/// so the outcome does not depend on the order in which the pools were given.
struct Network {
    pools: Vec<String>,
    objects: Vec<String>,
    direct: Vec<BigRational>,
    direct_total: BigInt,
    /// Per pool, its positive usage weights by receiver (lines for the same receiver added).
    usage: Vec<BTreeMap<Receiver, BigRational>>,
}

/// The exact (unrounded) outcome of an allocation.
struct ExactAllocation {
    /// Per pool, its total cost after the services received from the other pools.
    pool_totals: Vec<BigRational>,
    /// What each pool passes on to each final cost object it serves, by (pool, object).
    flows: BTreeMap<(usize, usize), BigRational>,
}

impl Network {
    /// Checks the data every allocation method needs and puts it in exact form.
    fn from_pools(pools: &[CostPool]) -> Result<Network, DomainError> {
        if pools.is_empty() {
            return Err(refuse("there are no cost pools to allocate"));
        }
        let mut sorted: Vec<&CostPool> = pools.iter().collect();
        sorted.sort_by(|a, b| a.code.cmp(&b.code));
        if let Some(pair) = sorted.windows(2).find(|pair| pair[0].code == pair[1].code) {
            return Err(refuse(format!(
                "cost pool {} is given twice; each pool must appear once",
                pair[0].code
            )));
        }
        let pool_index: BTreeMap<&str, usize> = sorted
            .iter()
            .enumerate()
            .map(|(i, pool)| (pool.code.as_str(), i))
            .collect();
        let objects: Vec<String> = sorted
            .iter()
            .flat_map(|pool| pool.usage.iter())
            .filter(|line| !pool_index.contains_key(line.receiver.as_str()))
            .map(|line| line.receiver.clone())
            .collect::<BTreeSet<String>>()
            .into_iter()
            .collect();
        if objects.is_empty() {
            return Err(refuse(
                "no cost pool names a final cost object (such as a trust fund), so no cost \
                 could ever be allocated",
            ));
        }
        let object_index: BTreeMap<&str, usize> = objects
            .iter()
            .enumerate()
            .map(|(i, code)| (code.as_str(), i))
            .collect();

        let mut usage = Vec::with_capacity(sorted.len());
        for pool in &sorted {
            let mut weights: BTreeMap<Receiver, BigRational> = BTreeMap::new();
            for line in &pool.usage {
                if line.receiver == pool.code {
                    return Err(refuse(format!(
                        "cost pool {} lists itself as a user of its own services; a pool can \
                         only serve other pools and final cost objects",
                        pool.code
                    )));
                }
                if line.weight < Decimal::ZERO {
                    return Err(refuse(format!(
                        "cost pool {} gives a negative usage weight ({}) for {}; usage weights \
                         must be zero or positive",
                        pool.code, line.weight, line.receiver
                    )));
                }
                if line.weight.is_zero() {
                    continue;
                }
                let receiver = match pool_index.get(line.receiver.as_str()) {
                    Some(&i) => Receiver::Pool(i),
                    None => Receiver::Object(object_index[line.receiver.as_str()]),
                };
                *weights.entry(receiver).or_insert_with(BigRational::zero) +=
                    decimal_to_rational(line.weight);
            }
            if pool.direct_minor != 0 && weights.is_empty() {
                return Err(refuse(format!(
                    "cost pool {} has a direct cost of {} minor units but no positive usage \
                     weight, so nothing says who consumes its services",
                    pool.code, pool.direct_minor
                )));
            }
            usage.push(weights);
        }

        let direct_total: BigInt = sorted.iter().map(|p| BigInt::from(p.direct_minor)).sum();
        Ok(Network {
            pools: sorted.iter().map(|p| p.code.clone()).collect(),
            objects,
            direct: sorted
                .iter()
                .map(|p| BigRational::from_integer(BigInt::from(p.direct_minor)))
                .collect(),
            direct_total,
            usage,
        })
    }

    /// Pool j's share of services for each receiver: its weight over the sum of its weights.
    fn shares(&self, pool: usize) -> BTreeMap<Receiver, BigRational> {
        let weights = &self.usage[pool];
        let sum: BigRational = weights.values().sum();
        weights
            .iter()
            .map(|(receiver, w)| (*receiver, w / &sum))
            .collect()
    }

    /// Checks a step-down order: each pool code exactly once. Returns the pool indices in order.
    fn closing_order(&self, order: &[String]) -> Result<Vec<usize>, DomainError> {
        let mut seen = vec![false; self.pools.len()];
        let mut indices = Vec::with_capacity(order.len());
        for code in order {
            let Ok(i) = self.pools.binary_search(code) else {
                return Err(refuse(format!(
                    "{code} in the step-down order is not one of the cost pools"
                )));
            };
            if seen[i] {
                return Err(refuse(format!(
                    "cost pool {code} appears twice in the step-down order"
                )));
            }
            seen[i] = true;
            indices.push(i);
        }
        let missing: Vec<&str> = self
            .pools
            .iter()
            .zip(&seen)
            .filter(|(_, seen)| !**seen)
            .map(|(code, _)| code.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(refuse(format!(
                "the step-down order leaves out cost pool(s) {}; every pool must be closed once",
                missing.join(", ")
            )));
        }
        Ok(indices)
    }

    /// Refuses pools whose costs only circulate among pools and never reach a final cost
    /// object: for them the reciprocal equations have no solution.
    fn check_costs_reach_objects(&self) -> Result<(), DomainError> {
        let stuck: Vec<&str> = (0..self.pools.len())
            .filter(|&i| !self.usage[i].is_empty() && !self.reaches_object(i))
            .map(|i| self.pools[i].as_str())
            .collect();
        if stuck.is_empty() {
            return Ok(());
        }
        Err(refuse(format!(
            "the costs of cost pool(s) {} only pass between cost pools and never reach a \
             final cost object, so the reciprocal equations have no solution; give at least \
             one of these pools a usage weight for a final cost object",
            stuck.join(", ")
        )))
    }

    /// Whether a pool's services lead, directly or through other pools, to a final object.
    fn reaches_object(&self, start: usize) -> bool {
        let mut visited = vec![false; self.pools.len()];
        let mut to_visit = vec![start];
        visited[start] = true;
        while let Some(pool) = to_visit.pop() {
            for receiver in self.usage[pool].keys() {
                match *receiver {
                    Receiver::Object(_) => return true,
                    Receiver::Pool(next) if !visited[next] => {
                        visited[next] = true;
                        to_visit.push(next);
                    }
                    Receiver::Pool(_) => {}
                }
            }
        }
        false
    }
}

/// Solves the reciprocal equations exactly and derives what each pool passes on to each final
/// cost object.
fn reciprocal_exact(network: &Network) -> Result<ExactAllocation, DomainError> {
    network.check_costs_reach_objects()?;
    let n = network.pools.len();
    let shares: Vec<BTreeMap<Receiver, BigRational>> = (0..n).map(|j| network.shares(j)).collect();

    // Row i: T_i - Σ_j s_ji · T_j = D_i.
    let mut matrix = vec![vec![BigRational::zero(); n]; n];
    for (i, row) in matrix.iter_mut().enumerate() {
        row[i] = BigRational::one();
    }
    for (j, pool_shares) in shares.iter().enumerate() {
        for (receiver, share) in pool_shares {
            if let Receiver::Pool(i) = *receiver {
                matrix[i][j] -= share;
            }
        }
    }
    let pool_totals = solve_exactly(matrix, network.direct.clone()).ok_or_else(|| {
        refuse(
            "the reciprocal equations of these cost pools have no single solution: part of \
             the cost never reaches a final cost object",
        )
    })?;

    for (i, total) in pool_totals.iter().enumerate() {
        if network.usage[i].is_empty() && !total.is_zero() {
            return Err(refuse(format!(
                "cost pool {} receives services from other pools but has no positive usage \
                 weight, so what it receives cannot be passed on to a final cost object",
                network.pools[i]
            )));
        }
    }

    let mut flows = BTreeMap::new();
    for (j, pool_shares) in shares.iter().enumerate() {
        for (receiver, share) in pool_shares {
            if let Receiver::Object(o) = *receiver {
                flows.insert((j, o), share * &pool_totals[j]);
            }
        }
    }
    Ok(ExactAllocation { pool_totals, flows })
}

/// Solves `matrix · x = rhs` exactly by Gauss-Jordan elimination over rationals.
/// Returns `None` when the matrix is singular.
fn solve_exactly(
    mut matrix: Vec<Vec<BigRational>>,
    mut rhs: Vec<BigRational>,
) -> Option<Vec<BigRational>> {
    let n = rhs.len();
    for col in 0..n {
        let pivot = (col..n).find(|&row| !matrix[row][col].is_zero())?;
        matrix.swap(col, pivot);
        rhs.swap(col, pivot);
        let pivot_row = matrix[col].clone();
        let pivot_rhs = rhs[col].clone();
        for (row_index, (entries, rhs_value)) in matrix.iter_mut().zip(rhs.iter_mut()).enumerate() {
            if row_index == col || entries[col].is_zero() {
                continue;
            }
            let factor = &entries[col] / &pivot_row[col];
            for (entry, pivot_entry) in entries.iter_mut().zip(&pivot_row).skip(col) {
                *entry -= &factor * pivot_entry;
            }
            *rhs_value -= &factor * &pivot_rhs;
        }
    }
    Some(
        matrix
            .iter()
            .zip(&rhs)
            .enumerate()
            .map(|(i, (row, value))| value / &row[i])
            .collect(),
    )
}

/// Closes the pools one after the other in `order`, each passing on what it holds to later
/// pools and to final cost objects, exactly.
fn step_down_exact(network: &Network, order: &[usize]) -> Result<ExactAllocation, DomainError> {
    let n = network.pools.len();
    let mut position = vec![0; n];
    for (rank, &pool) in order.iter().enumerate() {
        position[pool] = rank;
    }
    let mut pool_totals = network.direct.clone();
    let mut flows = BTreeMap::new();
    for (rank, &pool) in order.iter().enumerate() {
        let total = pool_totals[pool].clone();
        let remaining: Vec<(Receiver, &BigRational)> = network.usage[pool]
            .iter()
            .filter(|(receiver, _)| match **receiver {
                Receiver::Pool(later) => position[later] > rank,
                Receiver::Object(_) => true,
            })
            .map(|(receiver, w)| (*receiver, w))
            .collect();
        let weight_sum: BigRational = remaining.iter().map(|(_, w)| *w).sum();
        if weight_sum.is_zero() {
            if total.is_zero() {
                continue;
            }
            return Err(refuse(format!(
                "cost pool {} still holds a cost when it is closed, but serves no pool closed \
                 after it and no final cost object; change the step-down order or its usage",
                network.pools[pool]
            )));
        }
        for (receiver, weight) in remaining {
            let share = &total * weight / &weight_sum;
            match receiver {
                Receiver::Pool(later) => pool_totals[later] += share,
                Receiver::Object(object) => {
                    flows.insert((pool, object), share);
                }
            }
        }
    }
    Ok(ExactAllocation { pool_totals, flows })
}

/// Rounds an exact allocation to minor units: the objects by the largest remainder so that
/// they add up to the sum of the direct costs, then each object's flows by the largest
/// remainder so that they add up to the object's amount.
fn round_allocation(network: &Network, exact: &ExactAllocation) -> Result<Allocation, DomainError> {
    let mut per_object: Vec<Vec<(usize, &BigRational)>> = vec![Vec::new(); network.objects.len()];
    for (&(pool, object), amount) in &exact.flows {
        per_object[object].push((pool, amount));
    }
    let object_amounts: Vec<BigRational> = per_object
        .iter()
        .map(|flows| flows.iter().map(|(_, amount)| *amount).sum())
        .collect();
    let rounded_objects = largest_remainder(&object_amounts, &network.direct_total);

    let mut flows = Vec::with_capacity(exact.flows.len());
    for (object, object_flows) in per_object.iter().enumerate() {
        let quotas: Vec<BigRational> = object_flows.iter().map(|(_, a)| (*a).clone()).collect();
        let rounded = largest_remainder(&quotas, &rounded_objects[object]);
        for ((pool, _), amount) in object_flows.iter().zip(rounded) {
            flows.push((*pool, object, to_minor(amount)?));
        }
    }
    flows.sort();

    let objects = network
        .objects
        .iter()
        .zip(rounded_objects)
        .map(|(code, amount)| Ok((code.clone(), to_minor(amount)?)))
        .collect::<Result<Vec<_>, DomainError>>()?;
    let pool_totals = network
        .pools
        .iter()
        .zip(&exact.pool_totals)
        .map(|(code, total)| Ok((code.clone(), to_minor(round_half_even(total))?)))
        .collect::<Result<Vec<_>, DomainError>>()?;
    let flows = flows
        .into_iter()
        .map(|(pool, object, amount_minor)| AllocationFlow {
            pool: network.pools[pool].clone(),
            object: network.objects[object].clone(),
            amount_minor,
        })
        .collect();
    Ok(Allocation {
        objects,
        flows,
        pool_totals,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    fn weights(texts: &[&str]) -> Vec<Decimal> {
        texts.iter().map(|t| d(t)).collect()
    }

    fn pool(code: &str, direct_minor: i64, usage: &[(&str, &str)]) -> CostPool {
        CostPool {
            code: code.to_string(),
            direct_minor,
            usage: usage
                .iter()
                .map(|(receiver, weight)| Usage {
                    receiver: receiver.to_string(),
                    weight: d(weight),
                })
                .collect(),
        }
    }

    fn codes(texts: &[&str]) -> Vec<String> {
        texts.iter().map(|t| t.to_string()).collect()
    }

    fn objects(pairs: &[(&str, i64)]) -> Vec<(String, i64)> {
        pairs.iter().map(|(c, a)| (c.to_string(), *a)).collect()
    }

    fn flow(pool: &str, object: &str, amount_minor: i64) -> AllocationFlow {
        AllocationFlow {
            pool: pool.to_string(),
            object: object.to_string(),
            amount_minor,
        }
    }

    fn refusal(result: Result<impl std::fmt::Debug, DomainError>) -> String {
        match result {
            Err(DomainError::Allocation(message)) => message.to_string(),
            other => panic!("expected an allocation refusal, got {other:?}"),
        }
    }

    // ----- splits -----

    #[test]
    fn hundred_dollars_three_ways() {
        // 10000 / 3 = 3333.33..: floors 3333 × 3 = 9999; the one cent left goes to the first
        // part (all remainders equal, lower index first).
        let parts = split_largest_remainder(10_000, &weights(&["1", "1", "1"])).unwrap();
        assert_eq!(parts, vec![3334, 3333, 3333]);
    }

    #[test]
    fn one_minor_unit_three_ways() {
        let parts = split_largest_remainder(1, &weights(&["1", "1", "1"])).unwrap();
        assert_eq!(parts, vec![1, 0, 0]);
    }

    #[test]
    fn thousand_by_one_two_three() {
        // Quotas 166.67, 333.33, 500: floors 166 + 333 + 500 = 999; the unit left goes to the
        // largest remainder (0.67, the first part).
        let parts = split_largest_remainder(1_000, &weights(&["1", "2", "3"])).unwrap();
        assert_eq!(parts, vec![167, 333, 500]);
    }

    #[test]
    fn negative_total_mirrors_the_positive_split() {
        let parts = split_largest_remainder(-10_000, &weights(&["1", "1", "1"])).unwrap();
        assert_eq!(parts, vec![-3334, -3333, -3333]);
        let parts = split_largest_remainder(-1_000, &weights(&["1", "2", "3"])).unwrap();
        assert_eq!(parts, vec![-167, -333, -500]);
    }

    #[test]
    fn zero_weight_gets_nothing_and_ties_go_to_the_lower_index() {
        // Quotas 0, 2.5, 2.5: the unit left goes to the second part (tie, lower index).
        let parts = split_largest_remainder(5, &weights(&["0", "0.5", "0.5"])).unwrap();
        assert_eq!(parts, vec![0, 3, 2]);
        let parts = split_largest_remainder(0, &weights(&["1", "2"])).unwrap();
        assert_eq!(parts, vec![0, 0]);
    }

    #[test]
    fn split_refusals() {
        assert!(refusal(split_largest_remainder(100, &[])).contains("no parts"));
        assert!(
            refusal(split_largest_remainder(100, &weights(&["1", "-0.5"]))).contains("negative")
        );
        assert!(refusal(split_largest_remainder(100, &weights(&["0", "0"]))).contains("zero"));
    }

    #[test]
    fn split_of_the_extreme_amounts() {
        let parts = split_largest_remainder(i64::MIN, &weights(&["1", "1", "1"])).unwrap();
        assert_eq!(
            parts.iter().map(|p| i128::from(*p)).sum::<i128>(),
            i128::from(i64::MIN)
        );
        let parts = split_largest_remainder(i64::MAX, &weights(&["1", "1", "1"])).unwrap();
        assert_eq!(
            parts.iter().map(|p| i128::from(*p)).sum::<i128>(),
            i128::from(i64::MAX)
        );
    }

    // ----- cost pools -----

    /// MC administration pool, 100,000.00 USD: serves BRS 20%, fund A 50%, fund B 30%.
    /// BRS conference pool, 50,000.00 USD: serves MC 10%, fund A 40%, fund B 50%.
    fn mc_and_brs() -> Vec<CostPool> {
        vec![
            pool(
                "MC",
                10_000_000,
                &[("BRS", "20"), ("FUND-A", "50"), ("FUND-B", "30")],
            ),
            pool(
                "BRS",
                5_000_000,
                &[("MC", "10"), ("FUND-A", "40"), ("FUND-B", "50")],
            ),
        ]
    }

    #[test]
    fn reciprocal_two_pools_by_hand() {
        // T_MC  = 100,000 + 0.1 T_BRS
        // T_BRS =  50,000 + 0.2 T_MC
        // => T_MC = 105,000 / 0.98 = 750,000/7 = 107,142.857142..
        //    T_BRS = 50,000 + 150,000/7 = 500,000/7 = 71,428.571428..
        // Fund A = 0.5 T_MC + 0.4 T_BRS = 375,000/7 + 200,000/7 = 575,000/7 = 82,142.857142..
        // Fund B = 0.3 T_MC + 0.5 T_BRS = 225,000/7 + 250,000/7 = 475,000/7 = 67,857.142857..
        // In cents: A 8,214,285.71.., B 6,785,714.28..; floors add to 14,999,999 and the cent
        // left goes to A (remainder 0.71 > 0.28): A 8,214,286, B 6,785,714 (sum 15,000,000).
        // Flows to A: MC 5,357,142.857.., BRS 2,857,142.857..; floors 8,214,284, two cents
        // left, one each: MC 5,357,143, BRS 2,857,143.
        // Flows to B: MC 3,214,285.714.., BRS 3,571,428.571..; floors 6,785,713, one cent
        // left to MC (0.714 > 0.571): MC 3,214,286, BRS 3,571,428.
        // Pool totals: MC 10,714,285.71.. -> 10,714,286; BRS 7,142,857.14.. -> 7,142,857.
        let allocation = reciprocal(&mc_and_brs()).unwrap();
        assert_eq!(
            allocation.objects,
            objects(&[("FUND-A", 8_214_286), ("FUND-B", 6_785_714)])
        );
        assert_eq!(
            allocation.flows,
            vec![
                flow("BRS", "FUND-A", 2_857_143),
                flow("BRS", "FUND-B", 3_571_428),
                flow("MC", "FUND-A", 5_357_143),
                flow("MC", "FUND-B", 3_214_286),
            ]
        );
        assert_eq!(
            allocation.pool_totals,
            objects(&[("BRS", 7_142_857), ("MC", 10_714_286)])
        );
    }

    #[test]
    fn step_down_two_pools_by_hand() {
        // Order MC then BRS. MC passes on 100,000: BRS 20,000, A 50,000, B 30,000.
        // BRS holds 50,000 + 20,000 = 70,000; its weight for MC (closed) is ignored, so A gets
        // 4/9 = 31,111.11.. and B 5/9 = 38,888.88..
        // A = 81,111.11.., B = 68,888.88..; in cents the floors add to 14,999,999 and the cent
        // left goes to B: A 8,111,111, B 6,888,889.
        let allocation = step_down(&mc_and_brs(), &codes(&["MC", "BRS"])).unwrap();
        assert_eq!(
            allocation.objects,
            objects(&[("FUND-A", 8_111_111), ("FUND-B", 6_888_889)])
        );
        assert_eq!(
            allocation.flows,
            vec![
                flow("BRS", "FUND-A", 3_111_111),
                flow("BRS", "FUND-B", 3_888_889),
                flow("MC", "FUND-A", 5_000_000),
                flow("MC", "FUND-B", 3_000_000),
            ]
        );
        assert_eq!(
            allocation.pool_totals,
            objects(&[("BRS", 7_000_000), ("MC", 10_000_000)])
        );

        // Order BRS then MC. BRS passes on 50,000: MC 5,000, A 20,000, B 25,000.
        // MC holds 105,000; without BRS its weights are A 50/80, B 30/80: A 65,625, B 39,375.
        // A = 85,625.00, B = 64,375.00 exactly.
        let allocation = step_down(&mc_and_brs(), &codes(&["BRS", "MC"])).unwrap();
        assert_eq!(
            allocation.objects,
            objects(&[("FUND-A", 8_562_500), ("FUND-B", 6_437_500)])
        );
        assert_eq!(
            allocation.pool_totals,
            objects(&[("BRS", 5_000_000), ("MC", 10_500_000)])
        );
    }

    #[test]
    fn pools_that_only_serve_each_other_are_refused() {
        let pools = vec![
            pool("MC", 1_000, &[("BRS", "1")]),
            pool("BRS", 2_000, &[("MC", "1")]),
            pool("ADMIN", 500, &[("FUND", "1")]),
        ];
        let message = refusal(reciprocal(&pools));
        assert!(message.contains("BRS, MC"), "{message}");
        assert!(
            message.contains("never reach a final cost object"),
            "{message}"
        );
        let message = refusal(step_down(&pools, &codes(&["MC", "BRS", "ADMIN"])));
        assert!(message.contains("BRS"), "{message}");
    }

    #[test]
    fn pool_refusals() {
        assert!(refusal(reciprocal(&[])).contains("no cost pools"));
        let itself = vec![pool("MC", 100, &[("MC", "1"), ("FUND", "1")])];
        assert!(refusal(reciprocal(&itself)).contains("itself"));
        let negative = vec![pool("MC", 100, &[("FUND", "-1")])];
        assert!(refusal(reciprocal(&negative)).contains("negative"));
        let unused = vec![pool("MC", 100, &[("FUND", "0")])];
        assert!(refusal(reciprocal(&unused)).contains("no positive usage weight"));
        let twice = vec![
            pool("MC", 100, &[("FUND", "1")]),
            pool("MC", 100, &[("FUND", "1")]),
        ];
        assert!(refusal(reciprocal(&twice)).contains("given twice"));
        let no_object = vec![pool("MC", 0, &[]), pool("BRS", 0, &[("MC", "1")])];
        assert!(refusal(reciprocal(&no_object)).contains("final cost object"));
        // BRS holds nothing itself but receives from MC, and says nothing about its users.
        let dead_end = vec![
            pool("MC", 100, &[("BRS", "1"), ("FUND", "1")]),
            pool("BRS", 0, &[]),
        ];
        assert!(refusal(reciprocal(&dead_end)).contains("BRS receives services"));
        assert!(refusal(step_down(&dead_end, &codes(&["MC", "BRS"]))).contains("BRS still holds"));
    }

    #[test]
    fn step_down_order_refusals() {
        let pools = mc_and_brs();
        assert!(refusal(step_down(&pools, &codes(&["MC"]))).contains("leaves out cost pool(s) BRS"));
        assert!(refusal(step_down(&pools, &codes(&["MC", "MC"]))).contains("twice"));
        assert!(refusal(step_down(&pools, &codes(&["MC", "BRS", "CBD"]))).contains("CBD"));
        // BRS closed last serves only MC, which is already closed.
        let only_mc = vec![
            pool("MC", 100, &[("BRS", "1"), ("FUND", "1")]),
            pool("BRS", 100, &[("MC", "1")]),
        ];
        assert!(refusal(step_down(&only_mc, &codes(&["MC", "BRS"]))).contains("BRS still holds"));
        // Closed first, BRS passes everything to MC, which reaches the fund.
        let allocation = step_down(&only_mc, &codes(&["BRS", "MC"])).unwrap();
        assert_eq!(allocation.objects, objects(&[("FUND", 200)]));
    }

    #[test]
    fn idle_pools_and_unused_objects() {
        // A pool with no cost and no users is allowed; an object named with weight zero is
        // listed with nothing.
        let pools = vec![
            pool("IDLE", 0, &[]),
            pool("MC", 1_000, &[("FUND-A", "1"), ("FUND-B", "0")]),
        ];
        let allocation = reciprocal(&pools).unwrap();
        assert_eq!(
            allocation.objects,
            objects(&[("FUND-A", 1_000), ("FUND-B", 0)])
        );
        assert_eq!(allocation.flows, vec![flow("MC", "FUND-A", 1_000)]);
        let stepped = step_down(&pools, &codes(&["IDLE", "MC"])).unwrap();
        assert_eq!(stepped, allocation);
    }

    // ----- properties -----

    fn weight() -> impl Strategy<Value = Decimal> {
        prop_oneof![
            1 => Just(Decimal::ZERO),
            3 => (1i64..1_000_000, 0u32..5).prop_map(|(m, s)| Decimal::new(m, s)),
        ]
    }

    fn positive_weight() -> impl Strategy<Value = Decimal> {
        (1i64..10_000, 0u32..4).prop_map(|(m, s)| Decimal::new(m, s))
    }

    /// Random systems of 1..5 pools and 1..5 final objects; every pool serves at least one
    /// final object with a positive weight, so every system is solvable.
    fn system() -> impl Strategy<Value = Vec<CostPool>> {
        (1usize..=5, 1usize..=5).prop_flat_map(|(n_pools, n_objects)| {
            let one_pool = (
                -1_000_000_000_000i64..1_000_000_000_000,
                prop::collection::vec(weight(), n_pools),
                prop::collection::vec(weight(), n_objects),
                0..n_objects,
                positive_weight(),
            );
            prop::collection::vec(one_pool, n_pools).prop_map(move |raw| {
                raw.into_iter()
                    .enumerate()
                    .map(|(i, (direct, to_pools, mut to_objects, chosen, sure))| {
                        to_objects[chosen] = sure;
                        let mut usage: Vec<Usage> = to_pools
                            .into_iter()
                            .enumerate()
                            .filter(|(j, _)| *j != i)
                            .map(|(j, weight)| Usage {
                                receiver: format!("P{j}"),
                                weight,
                            })
                            .collect();
                        usage.extend(to_objects.into_iter().enumerate().map(|(k, weight)| Usage {
                            receiver: format!("F{k}"),
                            weight,
                        }));
                        CostPool {
                            code: format!("P{i}"),
                            direct_minor: direct,
                            usage,
                        }
                    })
                    .collect()
            })
        })
    }

    fn system_and_order() -> impl Strategy<Value = (Vec<CostPool>, Vec<String>)> {
        system().prop_flat_map(|pools| {
            let order: Vec<String> = pools.iter().map(|p| p.code.clone()).collect();
            (Just(pools), Just(order).prop_shuffle())
        })
    }

    fn direct_total(pools: &[CostPool]) -> i128 {
        pools.iter().map(|p| i128::from(p.direct_minor)).sum()
    }

    /// Σ objects == Σ direct, and each object's flows add up to its amount.
    fn assert_reconciles(pools: &[CostPool], allocation: &Allocation) {
        let objects_total: i128 = allocation.objects.iter().map(|(_, a)| i128::from(*a)).sum();
        assert_eq!(objects_total, direct_total(pools));
        for (object, amount) in &allocation.objects {
            let flows: i64 = allocation
                .flows
                .iter()
                .filter(|f| &f.object == object)
                .map(|f| f.amount_minor)
                .sum();
            assert_eq!(flows, *amount, "flows of {object}");
        }
    }

    /// Each rounded object is less than one minor unit away from its exact amount.
    fn assert_close_to_exact(network: &Network, exact: &ExactAllocation, allocation: &Allocation) {
        for (o, (_, amount)) in allocation.objects.iter().enumerate() {
            let exact_amount: BigRational = exact
                .flows
                .iter()
                .filter(|((_, object), _)| *object == o)
                .map(|(_, a)| a)
                .sum();
            let gap = (BigRational::from_integer(BigInt::from(*amount)) - exact_amount).abs();
            assert!(gap < BigRational::one(), "object {}", network.objects[o]);
        }
    }

    fn negated(pools: &[CostPool]) -> Vec<CostPool> {
        pools
            .iter()
            .map(|p| CostPool {
                direct_minor: -p.direct_minor,
                ..p.clone()
            })
            .collect()
    }

    fn mirrored(allocation: &Allocation) -> Allocation {
        Allocation {
            objects: allocation
                .objects
                .iter()
                .map(|(c, a)| (c.clone(), -a))
                .collect(),
            flows: allocation
                .flows
                .iter()
                .map(|f| AllocationFlow {
                    amount_minor: -f.amount_minor,
                    ..f.clone()
                })
                .collect(),
            pool_totals: allocation
                .pool_totals
                .iter()
                .map(|(c, a)| (c.clone(), -a))
                .collect(),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn split_sums_to_the_whole_and_stays_within_one_unit(
            total in prop_oneof![any::<i64>(), -1_000_000i64..1_000_000],
            weights in prop::collection::vec(weight(), 1..8),
        ) {
            prop_assume!(weights.iter().any(|w| !w.is_zero()));
            let parts = split_largest_remainder(total, &weights).unwrap();
            prop_assert_eq!(parts.len(), weights.len());
            let sum: i128 = parts.iter().map(|p| i128::from(*p)).sum();
            prop_assert_eq!(sum, i128::from(total));
            let rational: Vec<BigRational> = weights.iter().map(|w| decimal_to_rational(*w)).collect();
            let weight_sum: BigRational = rational.iter().sum();
            for (part, w) in parts.iter().zip(&rational) {
                let quota = BigRational::from_integer(BigInt::from(total)) * w / &weight_sum;
                let gap = (BigRational::from_integer(BigInt::from(*part)) - quota).abs();
                prop_assert!(gap < BigRational::one());
                if w.is_zero() {
                    prop_assert_eq!(*part, 0);
                }
            }
            if total != i64::MIN {
                let reversed = split_largest_remainder(-total, &weights).unwrap();
                let negated: Vec<i64> = parts.iter().map(|p| -p).collect();
                prop_assert_eq!(reversed, negated);
            }
        }

        #[test]
        fn reciprocal_conserves_the_total(pools in system()) {
            let allocation = reciprocal(&pools).unwrap();
            assert_reconciles(&pools, &allocation);
            let network = Network::from_pools(&pools).unwrap();
            let exact = reciprocal_exact(&network).unwrap();
            assert_close_to_exact(&network, &exact, &allocation);
            // The exact pool totals solve T_i = D_i + Σ_j s_ji · T_j.
            for i in 0..network.pools.len() {
                let mut received = BigRational::zero();
                for j in 0..network.pools.len() {
                    if let Some(share) = network.shares(j).get(&Receiver::Pool(i)) {
                        received += share * &exact.pool_totals[j];
                    }
                }
                prop_assert_eq!(&exact.pool_totals[i], &(&network.direct[i] + received));
            }
            // A reversal mirrors the original.
            prop_assert_eq!(reciprocal(&negated(&pools)).unwrap(), mirrored(&allocation));
        }

        #[test]
        fn step_down_conserves_the_total((pools, order) in system_and_order()) {
            let allocation = step_down(&pools, &order).unwrap();
            assert_reconciles(&pools, &allocation);
            let network = Network::from_pools(&pools).unwrap();
            let indices = network.closing_order(&order).unwrap();
            let exact = step_down_exact(&network, &indices).unwrap();
            assert_close_to_exact(&network, &exact, &allocation);
            prop_assert_eq!(step_down(&negated(&pools), &order).unwrap(), mirrored(&allocation));
        }
    }
}
