# A script profiled with "python3 -m scope_profiler run" for the viewer's
# screenshot test: its module body, a recursive function, a class body and
# a method become regions, inside the region named after the script.


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


class Solver:
    def step(self, k):
        return fib(k)


if __name__ == '__main__':
    solver = Solver()
    print(sum(solver.step(k) for k in range(12)))
