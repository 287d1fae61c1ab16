"""Device exploration (run.sh), stage 3: held-out evaluation of single networks and of ensembles (the mean of
their probability maps), studies spread over processes so the CPU work (channel stacking, connected components)
runs in parallel while the networks run on the GPU. Each study's channels are stacked once for all networks.
    ensemble_eval.py OUT.json NAME=A.pt … [COMBO=NAME+NAME …]
Every NAME alone is evaluated, and each COMBO as the mean of its members' maps; prints and writes one entry per
network or ensemble: sensitivity at 1 and 8 FP/scan, CPM, study AUC, and what shows at p ≥ 0.5."""
import json, os, pickle, sys, time
import numpy as np, torch
import torch.multiprocessing as mp
sys.path.insert(0, os.environ['TRAIN_DIR'])
import train as T
if os.environ.get('TARGET_MM'):  # run.sh RES=1: the resolution prepare_shared.py prepared the studies at
    T.CFG['target_mm'] = float(os.environ['TARGET_MM'])
from evaluate import candidates, match, shown_at, summary
from sample_data import channel_offsets, stack_channels
from unet import UNet25D

SHM = os.environ.get('SHM', '/tmp/or')
DEV = 'cuda' if torch.cuda.is_available() else 'cpu'
HELDOUT = ('seed9001', 'seed9002', 'seed9003')
NETS, COMBOS = {}, {}


class Study:  # the fields candidates/match read
    def __init__(self, meta): self.__dict__.update(meta)


def init(paths, combos):
    torch.set_num_threads(1)
    COMBOS.update(combos)
    for name, path in paths.items():
        saved = torch.load(path, map_location='cpu')
        net = UNet25D(T.CFG['channels'], saved['model']['down.0.0.weight'].shape[0])
        net.load_state_dict(saved['model'])
        NETS[name] = net.to(DEV).eval()


@torch.no_grad()
def one(tag):
    base = os.path.join(SHM, tag)
    image = np.load(base + '-img.npy', mmap_mode='r')
    st = Study(pickle.load(open(base + '.pkl', 'rb'))['meta'])
    offsets = channel_offsets(T.CFG, st.spacing[2])
    x = torch.from_numpy(np.stack([stack_channels(image, k, offsets) for k in range(image.shape[0])]))
    maps = {}
    for name, net in NETS.items():
        maps[name] = np.concatenate([net(x[i:i + 32].to(DEV))[:, 0].float().cpu().numpy()
                                     for i in range(0, len(x), 32)])
    out = {}
    for combo, members in COMBOS.items():
        prob = maps[members[0]] if len(members) == 1 else np.mean([maps[m] for m in members], axis=0)
        hits, false_findings = shown_at(prob, st.grid, st, 0.5)
        out[combo] = dict(matched=match(candidates(prob, st.grid, st, T.CFG['candidate_threshold']), st.nodules),
                          top=float(prob.max()), tp=len(hits), fp=false_findings)
    return tag, st.nodules, out


def main():
    out_path, specs = sys.argv[1], sys.argv[2:]
    paths = dict(s.split('=', 1) for s in specs if s.endswith('.pt'))
    combos = {n: [n] for n in paths}
    combos.update({s: s.split('+') for s in specs if not s.endswith('.pt')})
    tags = sorted(t[:-4] for t in os.listdir(SHM) if t.endswith('.pkl') and t.split('_')[0].split('-')[0] in HELDOUT)
    t0, results = time.time(), []
    ctx = mp.get_context('spawn')
    with ctx.Pool(int(os.environ.get('PROCS', '12')), initializer=init, initargs=(paths, combos)) as pool:
        for i, r in enumerate(pool.imap_unordered(one, tags)):
            results.append(r)
            if os.environ.get('PARTIAL'):  # what is done so far, should the call run out of time
                pickle.dump(results, open(os.environ['PARTIAL'], 'wb'))
            print(f'evaluated {i + 1}/{len(tags)} ({time.time() - t0:.0f} s)', flush=True)
    report = []
    for combo in combos:
        per_scan = [(r[2][combo]['matched'], r[1]) for r in results]
        tp, fp = sum(r[2][combo]['tp'] for r in results), sum(r[2][combo]['fp'] for r in results)
        figures = summary(per_scan, [r[2][combo]['top'] for r in results], [bool(r[1]) for r in results], tp, fp)
        report.append(dict(name=combo, **figures, scans=len(results)))
        print('RESULT', json.dumps(report[-1]), flush=True)
    json.dump(report, open(out_path, 'w'), indent=1)


if __name__ == '__main__':
    main()
