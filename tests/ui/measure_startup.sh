#!/usr/bin/env bash
# Time from launching tltui in a 160x48 tmux pane until its tab bar is drawn, against a bare Textual app of the
# same six-tab layout (tests/ui/bare_app.py) launched the same way, alternating the two (not run by pytest).
# usage: tests/ui/measure_startup.sh [RUNS] [tltui args...]   (default: 5 runs of `tltui open demo --no-autostart`)
# Uses a throw-away workspace and config dir; pin to two cores with e.g. `taskset -c 0,1 tests/ui/measure_startup.sh`.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS="${1:-5}"
shift || true
ARGS=("$@")
[ ${#ARGS[@]} -eq 0 ] && ARGS=(open demo --no-autostart)
TLTUI="$PWD/.venv/bin/tltui"
BARE="$PWD/.venv/bin/python $PWD/tests/ui/bare_app.py"
command -v tmux >/dev/null || { echo "tmux is required (apt-get install tmux)" >&2; exit 1; }
# Both apps start from compiled bytecode, as an installed package does (pip compiles wheels at install; this dev
# machine sets PYTHONDONTWRITEBYTECODE, which would leave tltui compiling its ~90 modules at every launch while
# Textual, installed, does not).
"$PWD/.venv/bin/python" -m compileall -q tltui tests/ui/bare_app.py >/dev/null
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
# CPU seconds a process (and its descendants) has used so far: on a busy machine this is what the first
# frame would take on idle cores.
cpu_of() {
    local total=0 pid
    for pid in $1 $(pgrep -P "$1" 2>/dev/null); do
        [ -r "/proc/$pid/stat" ] || continue
        total=$(( total + $(awk '{print $14 + $15}' "/proc/$pid/stat") ))
    done
    echo "scale=3; $total / $(getconf CLK_TCK)" | bc
}
# Seconds from launching `$1` until the tab bar shows, and the CPU seconds it used: "wall cpu".
first_frame() {
    local name="tltui-startup-$$-$RANDOM" start end cpu
    start=$(date +%s.%N)
    tmux new-session -d -s "$name" -x 160 -y 48 "env -u COLUMNS -u LINES TLTUI_WORKSPACE=$TMP/ws XDG_CONFIG_HOME=$TMP/cfg $1"
    until tmux capture-pane -p -t "$name" 2>/dev/null | grep -q "1 Overview  2 Instances"; do
        sleep 0.005
        if (( $(echo "$(date +%s.%N) - $start > 20" | bc) )); then echo "no tab bar after 20 s" >&2; break; fi
    done
    end=$(date +%s.%N)
    cpu=$(cpu_of "$(tmux display -p -t "$name" '#{pane_pid}')")
    tmux kill-session -t "$name" 2>/dev/null || true
    echo "$(echo "$end - $start" | bc) $cpu"
}
times=()
cpus=()
bare_times=()
bare_cpus=()
for i in $(seq 1 "$RUNS"); do
    read -r t cpu < <(first_frame "$TLTUI ${ARGS[*]}")
    read -r bt bcpu < <(first_frame "$BARE")
    times+=("$t"); cpus+=("$cpu"); bare_times+=("$bt"); bare_cpus+=("$bcpu")
    printf 'run %d: tltui %.3f s wall, %.3f s CPU; bare %.3f s wall, %.3f s CPU\n' "$i" "$t" "$cpu" "$bt" "$bcpu"
done
summary() { sort -n | awk -v what="$1" '{a[NR]=$1} END {printf "%s median: %.3f s (min %.3f, max %.3f, n=%d)\n", what, a[int((NR+1)/2)], a[1], a[NR], NR}'; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '%s\n' "${times[@]}" | summary "tltui wall"
printf '%s\n' "${cpus[@]}" | summary "tltui CPU "
printf '%s\n' "${bare_times[@]}" | summary "bare  wall"
printf '%s\n' "${bare_cpus[@]}" | summary "bare  CPU "
tw=$(printf '%s\n' "${times[@]}" | median); bw=$(printf '%s\n' "${bare_times[@]}" | median)
tc=$(printf '%s\n' "${cpus[@]}" | median); bc_=$(printf '%s\n' "${bare_cpus[@]}" | median)
echo "ratio tltui / bare: wall $(echo "scale=2; $tw / $bw" | bc), CPU $(echo "scale=2; $tc / $bc_" | bc)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
