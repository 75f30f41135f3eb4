"""Function artifacts: the dependency sources a code folder declares, wheels installed for the function's
target (never for the machine running aipipe), a cache of installed dependencies under `.aipipe/build/`,
deterministic archives, the clouds' size budgets, and container-image build contexts past them.

`aipipe build` shows the result; `render`, `plan`, `preview` and `up` build first, so the program they run
ships exactly these artifacts."""
