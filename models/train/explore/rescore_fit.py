"""A false-positive reduction stage fitted on candidate_table.py's table: per network, a classifier of its
candidates' measurements (candidate_features.py) fitted on the studies of FIT sets and scored on the held-out
ones — the FROC ranked by the classifier's output instead of the peak probability.
    /usr/bin/python3 models/train/explore/rescore_fit.py TABLE.pkl [FEATURE …]
MIN_PEAK=t keeps candidates peaking at t or more (default: the table's candidate threshold); CV=k fits and scores
k folds of the held-out scans instead; EXPORT=DIR writes each classifier as a manifest's `secondLook`.
Prints, per network: the peak-only figures and each classifier's (sensitivity at 1 and 8 FP/scan, CPM)."""
import json, os, pickle, sys
import numpy as np, torch
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from evaluate import froc  # noqa: E402

HELDOUT = ('seed9001', 'seed9002', 'seed9003')


def split(table, net, min_peak):
    fit, held = [], []
    for tag, nodules, nets in table['scans']:
        rows, matched, top = nets[net]
        keep = rows[:, 0] >= min_peak if len(rows) else np.zeros(0, bool)
        entry = (rows[keep], [m for m, k in zip(matched, keep) if k], nodules, top)
        (held if tag.split('_')[0].split('-')[0] in HELDOUT else fit).append(entry)
    return fit, held


def design(rows, cols):
    return rows[:, cols].astype(np.float64)


def fit_classifier(x, y, hidden=0, l2=1e-3, seed=0):
    torch.manual_seed(seed)
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-6
    xt = torch.tensor((x - mean) / std, dtype=torch.float32)
    yt = torch.tensor(y, dtype=torch.float32)
    layers = [torch.nn.Linear(x.shape[1], hidden), torch.nn.Tanh(), torch.nn.Linear(hidden, 1)] if hidden \
        else [torch.nn.Linear(x.shape[1], 1)]
    net = torch.nn.Sequential(*layers)
    pos = float(yt.mean())
    weight = torch.where(yt > 0, 0.5 / max(pos, 1e-3), 0.5 / max(1 - pos, 1e-3))
    opt = torch.optim.LBFGS(net.parameters(), max_iter=500, line_search_fn='strong_wolfe')

    def closure():
        opt.zero_grad()
        out = net(xt)[:, 0]
        loss = (torch.nn.functional.binary_cross_entropy_with_logits(out, yt, reduction='none') * weight).mean()
        loss = loss + l2 * sum((p ** 2).sum() for n, p in net.named_parameters() if 'weight' in n)
        loss.backward()
        return loss
    opt.step(closure)
    scorer = lambda z: torch.sigmoid(net(torch.tensor((z - mean) / std, dtype=torch.float32))[:, 0]).detach().numpy()  # noqa: E731
    scorer.net, scorer.mean, scorer.std = net, mean, std
    return scorer


def second_look(scorer, features, threshold):
    """The fitted classifier as a manifest's `secondLook` (src/inference/second-look.ts)."""
    layers = [m for m in scorer.net if isinstance(m, torch.nn.Linear)]
    return dict(candidateThreshold=threshold, features=features, mean=scorer.mean.tolist(), std=scorer.std.tolist(),
                layers=[dict(weights=m.weight.detach().double().tolist(), bias=m.bias.detach().double().tolist(),
                             activation='tanh' if n < len(layers) - 1 else 'linear') for n, m in enumerate(layers)])


def figures(scans, scorer):
    per_scan = []
    for rows, matched, nodules, _ in scans:
        scores = scorer(rows) if len(rows) else []
        per_scan.append(([(float(s), hit) for s, (_, hit) in zip(scores, matched)], nodules))
    sens, cpm, total, _ = froc(per_scan)
    return f"sens1 {sens['1']:.3f} sens8 {sens['8']:.3f} CPM {cpm:.3f} ({total} nodules, {len(scans)} scans)"


def stack(scans, cols):
    x = np.concatenate([design(r, cols) for r, _, _, _ in scans if len(r)])
    hits = np.concatenate([[h for _, h in m] for r, m, _, _ in scans if len(r)])
    use = hits != -2
    return x[use], (hits[use] >= 0).astype(np.float64)


def cross_validate(scans, cols, folds):
    print('  peak only   ', figures(scans, lambda r: r[:, 0]))
    for label, hidden in (('logistic    ', 0), ('mlp 16      ', 16)):
        scored = []
        for f in range(folds):
            model = fit_classifier(*stack([s for i, s in enumerate(scans) if i % folds != f], cols), hidden)
            for i, (rows, matched, nodules, top) in enumerate(scans):
                if i % folds == f:
                    scores = model(design(rows, cols)) if len(rows) else np.zeros(0)
                    scored.append((np.column_stack([scores, rows]) if len(rows) else rows, matched, nodules, top))
        print('  ' + label, figures(scored, lambda r: r[:, 0]), '(cross-validated)')


def main():
    table = pickle.load(open(sys.argv[1], 'rb'))
    names = table['names']
    chosen = sys.argv[2:] or names
    cols = [names.index(n) for n in chosen]
    nets = sorted(table['scans'][0][2])
    # The candidates as the app measures them: regions at the table's threshold (their extent and shape are
    # measured there), fitted and scored from MIN_PEAK up.
    min_peak = float(os.environ.get('MIN_PEAK', table['threshold']))
    for net in nets:
        fit, held = split(table, net, min_peak)
        if os.environ.get('CV'):  # no fitting sets: k-fold over the held-out scans (exploration only)
            cross_validate(held, cols, int(os.environ['CV']))
            continue
        x, y = stack(fit, cols)
        print(f'{net}: fit on {len(fit)} scans, {int(y.sum())} nodule / {int((1 - y).sum())} other candidates')
        print('  peak only   ', figures(held, lambda r: r[:, 0]))
        for label, hidden in (('logistic    ', 0), ('mlp 16      ', 16)):
            model = fit_classifier(x, y, hidden)
            print('  ' + label, figures(held, lambda r: model(design(r, cols))))
            # As the app applies it (second-look.ts): a candidate never rises above its own peak.
            print('    ≤ peak   ', figures(held, lambda r: np.minimum(r[:, 0], model(design(r, cols)))))
            if os.environ.get('EXPORT'):  # EXPORT=DIR: each classifier as a manifest's secondLook
                path = os.path.join(os.environ['EXPORT'], f'{net}-{label.strip().replace(" ", "")}.json')
                json.dump(second_look(model, chosen, table['threshold']), open(path, 'w'), indent=1)


if __name__ == '__main__':
    main()
