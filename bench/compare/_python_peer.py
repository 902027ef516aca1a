"""The `cpython` peer of `deno task compare`: the comparison's workloads
written with Python's own threading, queue and multiprocessing, run as a
child process that speaks the experiment's line protocol (one JSON object
per line on stdin and stdout; see experiment/child_peer.ts). Each run is
timed like the TypeScript ones: the clock starts once every thread is
started and waiting at a barrier, and stops when the last one is joined;
every run is checked.
"""
import json
import multiprocessing
import multiprocessing.dummy
import queue
import sys
import threading
import time

perf = time.perf_counter


def run_threads(count, body, args_for):
    """Starts `count` threads on `body`, opens the start barrier, returns the ms until all are joined."""
    ready = threading.Barrier(count + 1)
    threads = [threading.Thread(target=body, args=(ready, *args_for(i))) for i in range(count)]
    for t in threads:
        t.start()
    ready.wait()
    start = perf()
    for t in threads:
        t.join()
    return (perf() - start) * 1000


def per_thread(p):
    return max(1, p["iterations"] // p["threads"])


def lock_uncontended(p):
    lock = threading.Lock()
    n = p["iterations"]
    got = 0
    start = perf()
    for _ in range(n):
        lock.acquire()
        got += 1
        lock.release()
    ms = (perf() - start) * 1000
    return ms, None if got == n else f"acquisitions: {got}, expected {n}"


def lock_contended(p):
    lock = threading.Lock()
    counter = [0]
    n = per_thread(p)

    def body(ready):
        ready.wait()
        for _ in range(n):
            with lock:
                read = counter[0]
                time.sleep(0)  # another thread may run here: only the lock keeps it from the counter
                counter[0] = read + 1

    ms = run_threads(p["threads"], body, lambda i: ())
    expected = n * p["threads"]
    return ms, None if counter[0] == expected else f"counter: {counter[0]}, expected {expected}"


def condition_ping_pong(p):
    cond = threading.Condition(threading.Lock())
    state = {"turn": 0, "passed": 0}
    rounds = p["iterations"]

    def body(ready, me):
        ready.wait()
        for _ in range(rounds):
            with cond:
                while state["turn"] != me:
                    cond.wait()
                state["turn"] = 1 - me
                state["passed"] += 1
                cond.notify()

    ms = run_threads(2, body, lambda i: (i,))
    return ms, None if state["passed"] == 2 * rounds else f"turns passed: {state['passed']}, expected {2 * rounds}"


JOBS = 16
PERMITS = 4


def semaphore_limit(p):
    permits = threading.Semaphore(PERMITS)
    stats_lock = threading.Lock()
    stats = {"active": 0, "highest": 0, "passes": 0}
    n = max(1, p["iterations"] // JOBS)

    def body(ready):
        ready.wait()
        for _ in range(n):
            with permits:
                with stats_lock:
                    stats["active"] += 1
                    stats["highest"] = max(stats["highest"], stats["active"])
                time.sleep(0)
                with stats_lock:
                    stats["active"] -= 1
                    stats["passes"] += 1

    ms = run_threads(JOBS, body, lambda i: ())
    if stats["passes"] != n * JOBS:
        return ms, f"passes: {stats['passes']}, expected {n * JOBS}"
    if not 1 <= stats["highest"] <= PERMITS:
        return ms, f"{stats['highest']} jobs held a permit at once, with {PERMITS} permits"
    return ms, None


def queue_producer_consumer(p):
    q = queue.Queue(16)
    n = p["iterations"]
    totals = [0, 0]

    def body(ready, role):
        ready.wait()
        if role == "producer":
            for i in range(1, n + 1):
                q.put(i)
            return
        s = 0
        for _ in range(n):
            s = (s + q.get(True, 10)) % 0x7FFFFFFF
            q.task_done()
        totals[0] = n
        totals[1] = s

    ms = run_threads(2, body, lambda i: ("producer" if i == 0 else "consumer",))
    expected = (n * (n + 1) // 2) % 0x7FFFFFFF
    return ms, None if totals == [n, expected] else f"items/sum: {totals}, expected {[n, expected]}"


BARRIER_THREADS = 4


def barrier_phases(p):
    barrier = threading.Barrier(BARRIER_THREADS)
    passes = [0]
    count_lock = threading.Lock()
    phases = p["iterations"]

    def body(ready):
        ready.wait()
        for _ in range(phases):
            barrier.wait()
            with count_lock:
                passes[0] += 1

    ms = run_threads(BARRIER_THREADS, body, lambda i: ())
    expected = BARRIER_THREADS * phases
    return ms, None if passes[0] == expected else f"passes: {passes[0]}, expected {expected}"


def count_primes(chunk):
    start, stop = chunk
    count = 0
    for n in range(max(start, 2), stop):
        d = 2
        prime = True
        while d * d <= n:
            if n % d == 0:
                prime = False
                break
            d += 1
        if prime:
            count += 1
    return count


CHUNKS = 16
expected_primes = {}


def prime_chunks(iterations):
    limit = iterations * 1000
    step = -(-limit // CHUNKS)
    return [(lo, min(limit, lo + step)) for lo in range(0, limit, step)]


def pool_map_cpu(p):
    chunks = prime_chunks(p["iterations"])
    with multiprocessing.Pool(2) as pool:
        pool.map(count_primes, [(0, 1)] * 8, 1)  # every process starts before the clock
        start = perf()
        got = sum(pool.map(count_primes, chunks, 1))
        ms = (perf() - start) * 1000
    if p["iterations"] not in expected_primes:
        expected_primes[p["iterations"]] = sum(count_primes(c) for c in chunks)
    expected = expected_primes[p["iterations"]]
    return ms, None if got == expected else f"primes counted: {got}, expected {expected}"


# ---- the seeds' scenarios, with the sleeps of the TypeScript examples ----


def seed_named_thread_loop():
    out = []

    def loop():
        n = 0
        while n < 5:
            n += 1
            out.append(n)
            time.sleep(0.005)

    t = threading.Thread(target=loop, name="LoopThread")
    t.start()
    t.join()
    return out == [1, 2, 3, 4, 5] or f"loop counted {out}"


def seed_bank_balance():
    balance = [0]
    lock = threading.Lock()

    def change_it(n):
        balance[0] = balance[0] + n
        balance[0] = balance[0] - n

    def run_thread(n):
        for _ in range(100000):
            with lock:
                change_it(n)

    threads = [threading.Thread(target=run_thread, args=(n,)) for n in (5, 8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return balance[0] == 0 or f"balance {balance[0]}"


def seed_counter():
    x = [0]
    lock = threading.Lock()

    def func():
        with lock:
            for _ in range(6000):
                x[0] = x[0] + 1

    threads = [threading.Thread(target=func) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return x[0] == 18000 or f"x = {x[0]}"


def seed_rlock_runner():
    lock = threading.RLock()
    num = [0]

    class Runner(threading.Thread):
        def run(self):
            while True:
                with lock:
                    if num[0] >= 6:
                        break
                    with lock:
                        num[0] += 1

    runners = [Runner(), Runner()]
    for t in runners:
        t.start()
    for t in runners:
        t.join()
    plain = threading.Lock()
    plain.acquire()
    again = plain.acquire(True, 0.01)
    plain.release()
    return (num[0] == 6 and not again) or f"num = {num[0]}, second acquire {again}"


def seed_local_school():
    local_school = threading.local()
    seen = []

    def process_thread(name):
        local_school.student = name
        time.sleep(0)
        seen.append((name, local_school.student))

    threads = [threading.Thread(target=process_thread, args=(n,)) for n in ("Alice", "Bob")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(seen) == [("Alice", "Alice"), ("Bob", "Bob")] or f"saw {seen}"


def seed_students_teacher_event():
    event = threading.Event()
    started = []

    def student(i):
        event.wait()
        started.append(i)

    def teacher():
        time.sleep(0.02)
        event.set()

    threads = [threading.Thread(target=student, args=(i,)) for i in (1, 2, 3)] + [threading.Thread(target=teacher)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(started) == 3 or f"{len(started)} of 3 started"


def seed_producer_consumer():
    cond = threading.Condition()
    shelf = []
    consumed = []
    done = [False]

    def producer():
        for item in range(1, 7):
            with cond:
                cond.wait_for(lambda: len(shelf) < 2)
                shelf.append(item)
                cond.notify_all()
        with cond:
            done[0] = True
            cond.notify_all()

    def consumer():
        while True:
            with cond:
                cond.wait_for(lambda: shelf or done[0])
                if not shelf:
                    break
                consumed.append(shelf.pop(0))
                cond.notify_all()
            time.sleep(0.005)

    threads = [threading.Thread(target=producer), threading.Thread(target=consumer), threading.Thread(target=consumer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return consumed == [1, 2, 3, 4, 5, 6] or f"consumed {consumed}"


def seed_timer():
    fired = []
    greeter = threading.Timer(0.02, lambda who: fired.append(who), args=["world"])
    cancelled = threading.Timer(0.02, lambda: fired.append("oops"))
    greeter.start()
    cancelled.start()
    cancelled.cancel()
    greeter.join()
    cancelled.join()
    return fired == ["world"] or f"fired {fired}"


def seed_barrier():
    rounds = [0]
    barrier = threading.Barrier(3, action=lambda: rounds.__setitem__(0, rounds[0] + 1))
    indices = [[], []]

    def runner():
        for r in range(2):
            indices[r].append(barrier.wait())

    threads = [threading.Thread(target=runner) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return (rounds[0] == 2 and sorted(indices[1]) == [0, 1, 2]) or f"rounds {rounds[0]}, indices {indices}"


def seed_singleton():
    lock = threading.Lock()
    instances = []

    def get_instance():
        with lock:
            if not instances:
                time.sleep(0)
                instances.append(object())
            return instances[0]

    got = []
    threads = [threading.Thread(target=lambda: got.append(get_instance())) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return (len(instances) == 1 and all(g is got[0] for g in got)) or f"{len(instances)} instances"


URLS = [
    "https://www.python.org/",
    "https://docs.python.org/3/library/threading.html",
    "https://docs.python.org/3/library/multiprocessing.html",
    "https://deno.com/",
    "https://jsr.io/",
    "https://example.com/",
    "https://example.org/index.html",
    "https://www.ietf.org/rfc/rfc9110.txt",
]


def fetch_size(url):
    time.sleep((10 + (len(url) % 4) * 5) / 1000)
    return len(url) * 100


def seed_pool_map():
    with multiprocessing.dummy.Pool(4) as pool:
        sizes = pool.map(fetch_size, URLS)
    with multiprocessing.Pool(4) as pool:
        total = sum(pool.map(fetch_size, URLS))
    return (sum(sizes) == 24300 and total == 24300) or f"total {sum(sizes)} / {total}"


SEEDS = [
    seed_named_thread_loop,
    seed_bank_balance,
    seed_counter,
    seed_rlock_runner,
    seed_local_school,
    seed_students_teacher_event,
    seed_producer_consumer,
    seed_timer,
    seed_barrier,
    seed_singleton,
    seed_pool_map,
]


def seeds(p):
    start = perf()
    problems = []
    for seed in SEEDS:
        ok = seed()
        if ok is not True:
            problems.append(f"{seed.__name__[5:]}: {ok}")
    ms = (perf() - start) * 1000
    return ms, "; ".join(problems) if problems else None


WORKLOADS = {
    "lock-uncontended": lock_uncontended,
    "lock-contended": lock_contended,
    "condition-ping-pong": condition_ping_pong,
    "semaphore-limit": semaphore_limit,
    "queue-producer-consumer": queue_producer_consumer,
    "barrier-phases": barrier_phases,
    "pool-map-cpu": pool_map_cpu,
    "seeds": seeds,
}


def answer(request, state):
    op = request.get("op")
    if op == "hello":
        return {"workloads": list(WORKLOADS), "note": f"CPython {sys.version.split()[0]}"}
    if op == "open":
        if request["workload"] not in WORKLOADS:
            return {"unavailable": f"no Python version of {request['workload']}"}
        state["case"] = request
        return {"ok": True}
    if op == "sample":
        case = state.get("case")
        if case is None:
            return {"error": "sample before open"}
        total = 0.0
        for _ in range(request["runs"]):
            ms, problem = WORKLOADS[case["workload"]](case)
            total += ms
            if problem:
                return {"ms": total, "problem": problem}
        return {"ms": total}
    if op == "close":
        state.pop("case", None)
        return {"ok": True}
    return {"error": f"unknown op {op!r}"}


def main():
    state = {}
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            reply = answer(json.loads(line), state)
        except Exception as error:  # a bug here is reported, not a hang
            reply = {"error": f"{type(error).__name__}: {error}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
