package classifier

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// calibrate trains on all but one fold, scores the held-out fold, and fits
// on those honest scores (a) the softmax temperature that maximizes the
// held-out likelihood and (b) the out-of-scope thresholds that keep the
// requested share of in-scope sentences.
//
// With a single round it also returns the dual variables of the fold's
// solve, indexed by example, so the final training starts from them.
func (m *Model) calibrate(ctx context.Context, bags []bag, ys []int32, opts Options) ([][]float64, error) {
	folds := stratifiedFolds(ys, opts.Folds, opts.Seed)
	var scores [][]float64
	var gold []int32
	var covers []float64
	var warm [][]float64
	// On a large training set one held-out fold holds thousands of honest
	// scores, plenty to fit one temperature and three thresholds; the other
	// folds would only multiply the training time.
	rounds := opts.Folds
	if len(ys) >= 4000 {
		rounds = 1
	}
	for k := 0; k < rounds; k++ {
		var trainIdx, testIdx []int
		for i, f := range folds {
			if f == k {
				testIdx = append(testIdx, i)
			} else {
				trainIdx = append(trainIdx, i)
			}
		}
		if len(testIdx) == 0 || len(trainIdx) == 0 {
			continue
		}
		trainBags := make([]bag, len(trainIdx))
		trainYs := make([]int32, len(trainIdx))
		for j, i := range trainIdx {
			trainBags[j], trainYs[j] = bags[i], ys[i]
		}
		voc := buildVocab(trainBags, opts.MinDF)
		xs := make([]vector, len(trainBags))
		for j, b := range trainBags {
			xs[j], _ = voc.vectorize(b, m.weights)
		}
		lin, alphas, err := trainSVM(ctx, xs, trainYs, len(m.labels), len(voc.idf), opts.svm(), nil)
		if err != nil {
			return nil, fmt.Errorf("classifier: calibration interrupted: %w", err)
		}
		if rounds == 1 {
			warm = make([][]float64, len(alphas))
			for c, a := range alphas {
				warm[c] = make([]float64, len(ys))
				for j, i := range trainIdx {
					warm[c][i] = a[j]
				}
			}
		}
		for _, i := range testIdx {
			v, cover := voc.vectorize(bags[i], m.weights)
			scores = append(scores, lin.scores(v, nil))
			gold = append(gold, ys[i])
			covers = append(covers, cover)
		}
	}
	if len(scores) == 0 {
		return nil, nil
	}
	m.temp = fitTemperature(scores, gold)
	// Thresholds: the (1-recall) quantile of the held-out in-scope values,
	// so about that share of genuine questions would be refused.
	q := 1 - opts.InScopeRecall
	// Only genuine intents set the thresholds: examples of the reject class
	// are out of scope by definition.
	reject := int32(slices.Index(m.labels, Reject))
	var conf, top, cov []float64
	for i, s := range scores {
		if gold[i] == reject {
			continue
		}
		conf = append(conf, slices.Max(softmax(s, m.temp)))
		top = append(top, slices.Max(s))
		cov = append(cov, covers[i])
	}
	m.minConfidence = quantile(conf, q/3)
	m.minCoverage = quantile(cov, q/3)
	m.minScore = quantile(top, q/3)
	return warm, nil
}

// stratifiedFolds assigns each example a fold so every label is spread
// evenly over the folds.
func stratifiedFolds(ys []int32, k int, seed uint64) []int {
	rng := rand.New(rand.NewPCG(seed, 7))
	byLabel := map[int32][]int{}
	for i, y := range ys {
		byLabel[y] = append(byLabel[y], i)
	}
	folds := make([]int, len(ys))
	labels := make([]int32, 0, len(byLabel))
	for y := range byLabel {
		labels = append(labels, y)
	}
	slices.Sort(labels)
	next := 0
	for _, y := range labels {
		idx := byLabel[y]
		rng.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
		for _, i := range idx {
			folds[i] = next % k
			next++
		}
	}
	return folds
}

// fitTemperature finds the scale t maximizing the log-likelihood of the gold
// labels under softmax(t·scores), by golden-section search on log t.
func fitTemperature(scores [][]float64, gold []int32) float64 {
	nll := func(logT float64) float64 {
		t := math.Exp(logT)
		var s float64
		for i, sc := range scores {
			p := softmax(sc, t)
			s -= math.Log(max(p[gold[i]], 1e-12))
		}
		return s
	}
	lo, hi := math.Log(0.1), math.Log(200)
	phi := (math.Sqrt(5) - 1) / 2
	a, b := hi-phi*(hi-lo), lo+phi*(hi-lo)
	fa, fb := nll(a), nll(b)
	for range 40 {
		if fa < fb {
			hi, b, fb = b, a, fa
			a = hi - phi*(hi-lo)
			fa = nll(a)
		} else {
			lo, a, fa = a, b, fb
			b = lo + phi*(hi-lo)
			fb = nll(b)
		}
	}
	return math.Exp((lo + hi) / 2)
}

func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(q * float64(len(s)-1))
	return s[i]
}
