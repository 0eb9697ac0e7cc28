package classifier

import (
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
)

// linearModel is one-vs-rest linear SVMs stored feature-major, so scoring a
// sparse vector touches one contiguous row of class weights per feature.
type linearModel struct {
	classes int
	w       []float32 // w[f*classes+c]
	bias    []float32 // per class
}

func (m *linearModel) scores(v vector, dst []float64) []float64 {
	dst = dst[:0]
	for c := 0; c < m.classes; c++ {
		dst = append(dst, float64(m.bias[c]))
	}
	acc := make([]float32, m.classes)
	for k, f := range v.idx {
		x := v.val[k]
		row := m.w[int(f)*m.classes : int(f)*m.classes+m.classes]
		for c, wc := range row {
			acc[c] += x * wc
		}
	}
	for c := range dst {
		dst[c] += float64(acc[c])
	}
	return dst
}

// svmParams are the solver's settings.
type svmParams struct {
	C       float64
	Eps     float64 // stopping tolerance on the projected gradient
	MaxIter int
	Seed    uint64
	Workers int
	// PosWeight multiplies C for the positive examples of each class.
	PosWeight float64
}

// trainSVM fits one L2-regularized, squared-hinge-loss SVM per class with the
// dual coordinate descent method of Hsieh et al. (ICML 2008), the solver of
// LIBLINEAR's -s 1, including its shrinking heuristic. Classes train in
// parallel; each needs only the shared, read-only data.
// warm holds dual variables from an earlier solve, per class and example,
// to start from; nil starts from zero. Returns the final dual variables.
func trainSVM(ctx context.Context, xs []vector, ys []int32, classes, features int, p svmParams, warm [][]float64) (*linearModel, [][]float64, error) {
	const biasX = 1.0 // the bias is a constant feature, regularized like the others
	qd := make([]float64, len(xs))
	diag := 1 / (2 * p.C)
	for i, x := range xs {
		var s float64
		for _, v := range x.val {
			s += float64(v) * float64(v)
		}
		qd[i] = s + biasX*biasX + diag
	}
	m := &linearModel{classes: classes, w: make([]float32, features*classes), bias: make([]float32, classes)}
	workers := p.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	alphas := make([][]float64, classes)
	jobs := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := make([]float32, features)
			for c := range jobs {
				clear(w)
				var init []float64
				if warm != nil {
					init = warm[c]
				}
				b, alpha := solveBinary(ctx, xs, ys, int32(c), qd, diag, biasX, w, p, init)
				alphas[c] = alpha
				mu.Lock()
				for f, x := range w {
					m.w[f*classes+c] = x
				}
				m.bias[c] = float32(b * biasX)
				mu.Unlock()
			}
		}()
	}
	for c := 0; c < classes; c++ {
		if ctx.Err() != nil {
			break
		}
		jobs <- c
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	return m, alphas, nil
}

func solveBinary(ctx context.Context, xs []vector, ys []int32, class int32, qd []float64, diag, biasX float64, w []float32, p svmParams, init []float64) (float64, []float64) {
	l := len(xs)
	alpha := make([]float64, l)
	if init != nil {
		copy(alpha, init)
	}
	y := make([]float64, l)
	index := make([]int, l)
	dg := make([]float64, l)
	qdc := make([]float64, l)
	pw := p.PosWeight
	if pw <= 0 {
		pw = 1
	}
	for i := range xs {
		index[i] = i
		y[i] = -1
		dg[i] = diag
		if ys[i] == class {
			y[i] = 1
			dg[i] = diag / pw
		}
		qdc[i] = qd[i] - diag + dg[i]
	}
	var b float64
	for i, a := range alpha {
		if a == 0 {
			continue
		}
		d := float32(a * y[i])
		for k, f := range xs[i].idx {
			w[f] += d * xs[i].val[k]
		}
		b += a * y[i] * biasX
	}
	rng := rand.New(rand.NewPCG(p.Seed, uint64(class)))
	active := l
	pgMaxOld := math.Inf(1)
	for iter := 0; iter < p.MaxIter; iter++ {
		if iter%8 == 0 && ctx.Err() != nil {
			return b, alpha
		}
		pgMaxNew, pgMinNew := math.Inf(-1), math.Inf(1)
		for s := 0; s < active; s++ {
			j := s + rng.IntN(active-s)
			index[s], index[j] = index[j], index[s]
		}
		for s := 0; s < active; s++ {
			i := index[s]
			x := xs[i]
			var dot32 float32
			vals := x.val[:len(x.idx)]
			for k, f := range x.idx {
				dot32 += vals[k] * w[f]
			}
			dot := float64(dot32) + b*biasX
			g := y[i]*dot - 1 + dg[i]*alpha[i]
			pg := 0.0
			if alpha[i] == 0 {
				if g > pgMaxOld {
					active--
					index[s], index[active] = index[active], index[s]
					s--
					continue
				}
				if g < 0 {
					pg = g
				}
			} else {
				pg = g
			}
			pgMaxNew = max(pgMaxNew, pg)
			pgMinNew = min(pgMinNew, pg)
			if math.Abs(pg) > 1e-12 {
				old := alpha[i]
				alpha[i] = max(alpha[i]-g/qdc[i], 0)
				d := (alpha[i] - old) * y[i]
				d32 := float32(d)
				vals := x.val[:len(x.idx)]
				for k, f := range x.idx {
					w[f] += d32 * vals[k]
				}
				b += d * biasX
			}
		}
		if pgMaxNew-pgMinNew <= p.Eps {
			if active == l {
				break
			}
			active = l
			pgMaxOld = math.Inf(1)
			continue
		}
		pgMaxOld = pgMaxNew
		if pgMaxOld <= 0 {
			pgMaxOld = math.Inf(1)
		}
	}
	return b, alpha
}
