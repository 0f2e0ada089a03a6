# Sums, from a GNU ld link map, the bytes that members of one archive (ARCHIVE, e.g.
# libssim.a) put into the firmware: "flash=<text+rodata+exidx+data init> ram=<data+bss>".
# Input-section lines are " .name 0xADDR 0xSIZE file", or the name alone on one line and
# "0xADDR 0xSIZE file" on the next; output sections start in column 0.
/^Discarded input sections/ { discarded = 1 }
/^Linker script and memory map/ { discarded = 0; in_map = 1 }
!in_map || discarded { next }
/^\.[A-Za-z_]/ { out = $1 }
{
    n = split($0, f, /[ \t]+/)
    # f[1] is empty for lines that start with a blank.
    if (n >= 4 && f[3] ~ /^0x/ && f[4] ~ /^0x/) { size = f[4]; file = f[5] }
    else if (n >= 3 && f[2] ~ /^0x/ && f[3] ~ /^0x/ && f[4] != "") { size = f[3]; file = f[4] }
    else next
    if (index(file, ARCHIVE) == 0) next
    bytes = hex(size)
    if (out == ".bss") ram += bytes
    else if (out == ".data") { ram += bytes; flash += bytes }
    else if (out != "" && out !~ /^\.(debug|comment|ARM\.attributes)/) flash += bytes
}
function hex(s,    i, v, c) {
    v = 0
    for (i = 3; i <= length(s); i++) {
        c = index("0123456789abcdef", tolower(substr(s, i, 1))) - 1
        v = v * 16 + c
    }
    return v
}
END { printf "flash=%d ram=%d\n", flash, ram }
