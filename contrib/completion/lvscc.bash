# bash completion for lvscc, generated from its argument parser by scripts/gen-docs.py
_lvscc() {
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"
    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "check compile fmt import audit plan snapshot watch explain serve --version --help" -- "$cur"))
        return
    fi
    case "${COMP_WORDS[1]} $prev" in
        "check --target") COMPREPLY=($(compgen -f -- "$cur")); return;;
        "check --format") COMPREPLY=($(compgen -W "text json sarif" -- "$cur")); return;;
        "check --fail-on") COMPREPLY=($(compgen -W "error warning" -- "$cur")); return;;
        "compile -o"|"compile --output") COMPREPLY=($(compgen -d -- "$cur")); return;;
        "compile --backend") COMPREPLY=(); return;;
        "compile --layout") COMPREPLY=($(compgen -W "flat rhel debian" -- "$cur")); return;;
        "compile --format") COMPREPLY=($(compgen -W "text json sarif" -- "$cur")); return;;
        "compile --fail-on") COMPREPLY=($(compgen -W "error warning" -- "$cur")); return;;
        "import --from") COMPREPLY=($(compgen -W "piranha keepalived ipvsadm ldirectord" -- "$cur")); return;;
        "import -o"|"import --output") COMPREPLY=($(compgen -f -- "$cur")); return;;
        "import --fail-on") COMPREPLY=($(compgen -W "error warning" -- "$cur")); return;;
        "audit --host") COMPREPLY=(); return;;
        "audit --from-dump") COMPREPLY=($(compgen -d -- "$cur")); return;;
        "audit --weight") COMPREPLY=($(compgen -W "managed observed ignore quiesce" -- "$cur")); return;;
        "audit --format") COMPREPLY=($(compgen -W "table text json sarif junit" -- "$cur")); return;;
        "plan --host") COMPREPLY=(); return;;
        "plan --from-dump") COMPREPLY=($(compgen -d -- "$cur")); return;;
        "plan --weight") COMPREPLY=($(compgen -W "managed observed ignore quiesce" -- "$cur")); return;;
        "plan --netfilter") COMPREPLY=($(compgen -W "nft iptables" -- "$cur")); return;;
        "watch -o"|"watch --output") COMPREPLY=($(compgen -d -- "$cur")); return;;
        "watch --host") COMPREPLY=(); return;;
        "watch --interval") COMPREPLY=(); return;;
        "watch --format") COMPREPLY=($(compgen -W "live jsonl" -- "$cur")); return;;
        "watch --metrics-file") COMPREPLY=($(compgen -f -- "$cur")); return;;
        "explain --format") COMPREPLY=($(compgen -W "text json" -- "$cur")); return;;
        "serve --listen") COMPREPLY=(); return;;
        "serve --from-dump") COMPREPLY=($(compgen -d -- "$cur")); return;;
        "serve --host") COMPREPLY=(); return;;
        "serve --allow") COMPREPLY=(); return;;
        "serve --password-file") COMPREPLY=($(compgen -f -- "$cur")); return;;
        "serve --interval") COMPREPLY=(); return;;
    esac
    case "${COMP_WORDS[1]}" in
        check) if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "--target --format --fail-on --allow-include-outside --help" -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi;;
        compile) if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "-o --output --backend --layout --format --fail-on --allow-include-outside -q --quiet -v --verbose --help" -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi;;
        fmt) if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "--check --help" -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi;;
        import) if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "--from -o --output --fail-on --help" -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi;;
        audit) if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "--host --from-dump --weight --format --help" -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi;;
        plan) if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "--host --from-dump --weight --netfilter --help" -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi;;
        snapshot) if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "--help" -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi;;
        watch) if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "-o --output --audit --host --interval --format --metrics-file --allow-include-outside --help" -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi;;
        explain) if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "--all --list --format --help" -- "$cur")); else COMPREPLY=(); fi;;
        serve) if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "--listen --from-dump --host --allow --password-file --set-password --interval --help" -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi;;
    esac
}
complete -o filenames -F _lvscc lvscc
