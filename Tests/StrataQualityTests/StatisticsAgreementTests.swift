// Every statistic against scipy on the committed fixtures (Fixtures/make_fixtures.py): exact paths to a relative 1e-9.
// Each case carries its own inputs, so a failure names the case and both numbers.
import Testing
@testable import StrataQuality

@Suite struct StatisticsAgreementTests {
    let fixtures = StatisticsFixtures.shared

    @Test("the two-sample KS statistic and p-value match scipy's ks_2samp in every branch")
    func kolmogorovSmirnov() throws {
        for fixture in fixtures.ks_2samp {
            let result = try #require(KolmogorovSmirnov.test(fixture.a, fixture.b))
            #expect(agrees(result.statistic, fixture.statistic.value), "\(fixture.name): D \(result.statistic) vs \(fixture.statistic.value)")
            #expect(agrees(result.pValue, fixture.pvalue.value), "\(fixture.name): p \(result.pValue) vs \(fixture.pvalue.value)")
        }
    }

    @Test("the one-sample Kolmogorov survival function matches scipy's kstwo.sf on a grid covering each method")
    func kolmogorovDistribution() {
        for fixture in fixtures.kstwo_sf {
            let actual = KolmogorovDistribution.survival(n: fixture.n, x: fixture.x)
            #expect(agrees(actual, fixture.sf.value), "n \(fixture.n), x \(fixture.x): \(actual) vs \(fixture.sf.value)")
        }
    }

    @Test("the one-sided Smirnov tail matches scipy.special.smirnov")
    func smirnov() {
        for fixture in fixtures.smirnov {
            let actual = KolmogorovDistribution.smirnovSurvival(n: fixture.n, x: fixture.x)
            #expect(agrees(actual, fixture.sf.value), "n \(fixture.n), x \(fixture.x): \(actual) vs \(fixture.sf.value)")
        }
    }

    @Test("exact two-sample p-values match scipy's lattice-path computation")
    func exactPValues() throws {
        for fixture in fixtures.ks_exact_pvalue {
            let result = try #require(KolmogorovSmirnov.exactPValue(statistic: fixture.d, n1: fixture.n1, n2: fixture.n2))
            #expect(agrees(result.pValue, fixture.pvalue.value), "n \(fixture.n1)/\(fixture.n2), d \(fixture.d): \(result.pValue) vs \(fixture.pvalue.value)")
        }
    }

    @Test("chi-squared matches scipy's chisquare, including an expected count of zero")
    func chiSquared() {
        for fixture in fixtures.chisquare {
            let result = ChiSquared.test(observed: fixture.observed, expected: fixture.expected)
            #expect(agrees(result.statistic, fixture.statistic.value), "\(fixture.name): \(result.statistic) vs \(fixture.statistic.value)")
            #expect(agrees(result.pValue, fixture.pvalue.value), "\(fixture.name): \(result.pValue) vs \(fixture.pvalue.value)")
        }
    }

    @Test("reference-vs-current category counts give scipy's chi-squared, Jensen-Shannon, and Evidently's PSI and L-infinity")
    func categoryCounts() {
        for fixture in fixtures.category_counts {
            let chi = ChiSquared.test(reference: fixture.reference, current: fixture.current)
            #expect(agrees(chi.statistic, fixture.chisquare_statistic.value), "\(fixture.name): χ² \(chi.statistic) vs \(fixture.chisquare_statistic.value)")
            #expect(agrees(chi.pValue, fixture.chisquare_pvalue.value), "\(fixture.name): p \(chi.pValue) vs \(fixture.chisquare_pvalue.value)")
            let js = Distance.jensenShannon(fixture.reference, fixture.current)
            #expect(agrees(js, fixture.jensenshannon.value), "\(fixture.name): JS \(js) vs \(fixture.jensenshannon.value)")
            let psi = Distance.populationStability(reference: fixture.reference, current: fixture.current)
            #expect(agrees(psi, fixture.psi.value), "\(fixture.name): PSI \(psi) vs \(fixture.psi.value)")
            let linf = Distance.lInfinity(fixture.reference, fixture.current)
            #expect(agrees(linf, fixture.linf.value), "\(fixture.name): L∞ \(linf) vs \(fixture.linf.value)")
        }
    }

    @Test("the two-proportion Z-test matches the pooled formula with scipy's normal tail")
    func zTest() {
        for fixture in fixtures.z_test {
            let result = TwoProportionZTest.test(referenceHits: fixture.reference_hits, referenceCount: fixture.reference_count,
                                                 currentHits: fixture.current_hits, currentCount: fixture.current_count)
            #expect(agrees(result.statistic, fixture.z.value), "z \(result.statistic) vs \(fixture.z.value)")
            #expect(agrees(result.pValue, fixture.pvalue.value), "p \(result.pValue) vs \(fixture.pvalue.value)")
        }
    }

    @Test("the Wasserstein distance matches scipy's wasserstein_distance, weighted or not")
    func wasserstein() {
        for fixture in fixtures.wasserstein {
            let a = fixture.a_weights.map { EmpiricalDistribution(weighted: Array(zip(fixture.a, $0)).map { ($0.0, $0.1) }, rankError: 0) }
                ?? EmpiricalDistribution(samples: fixture.a)
            let b = fixture.b_weights.map { EmpiricalDistribution(weighted: Array(zip(fixture.b, $0)).map { ($0.0, $0.1) }, rankError: 0) }
                ?? EmpiricalDistribution(samples: fixture.b)
            let distance = Distance.wasserstein(a, b)
            #expect(agrees(distance, fixture.distance.value), "\(fixture.name): \(distance) vs \(fixture.distance.value)")
        }
    }

    @Test("the Jensen-Shannon distance matches scipy's jensenshannon with base 2")
    func jensenShannon() {
        for fixture in fixtures.jensenshannon {
            let distance = Distance.jensenShannon(fixture.p, fixture.q)
            #expect(agrees(distance, fixture.distance.value), "\(distance) vs \(fixture.distance.value)")
        }
    }

    @Test("numeric binning matches numpy's 30 equal-width bins, and the binned distances match")
    func binned() {
        for fixture in fixtures.binned {
            let a = EmpiricalDistribution(samples: fixture.a), b = EmpiricalDistribution(samples: fixture.b)
            let low = min(fixture.a.min() ?? 0, fixture.b.min() ?? 0), high = max(fixture.a.max() ?? 0, fixture.b.max() ?? 0)
            let counts = AlignedCounts.bins(a, b, range: (low, high), binCount: 30)
            #expect(counts.edges == fixture.edges, "\(fixture.name): edges")
            #expect(counts.reference == fixture.reference_counts, "\(fixture.name): reference counts")
            #expect(counts.current == fixture.current_counts, "\(fixture.name): current counts")
            #expect(agrees(Distance.jensenShannon(counts.reference, counts.current), fixture.jensenshannon.value), "\(fixture.name): JS")
            #expect(agrees(Distance.populationStability(reference: counts.reference, current: counts.current), fixture.psi.value), "\(fixture.name): PSI")
            #expect(agrees(Distance.lInfinity(counts.reference, counts.current), fixture.linf.value), "\(fixture.name): L∞")
        }
    }
}
