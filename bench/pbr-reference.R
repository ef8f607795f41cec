# Reference values for src/core/pbr/pbr.test.ts (pilot-eval pbr). Run: Rscript bench/pbr-reference.R
options(digits = 15)
kcrit <- function(n, p0, alpha = 0.05) { k <- 0:n; s <- k[pbinom(k, n, p0) <= alpha]; if (length(s)) max(s) else NA }
kcrit_normal <- function(n, p0, alpha = 0.05) { k <- 0:n; s <- k[pnorm((k - n * p0) / sqrt(n * p0 * (1 - p0))) <= alpha]; if (length(s)) max(s) else NA }
paid <- function(n, p0, p1, alpha = 0.05, crit = kcrit) { k <- crit(n, p0, alpha); if (is.na(k)) 0 else pbinom(k, n, p1) }
cat("kcrit(100,.35) =", kcrit(100, .35), " pbinom(26,100,.35) =", pbinom(26, 100, .35), " pbinom(27,100,.35) =", pbinom(27, 100, .35), "\n")
cat("binom.test(26,100,.35,alternative='less')$p.value =", binom.test(26, 100, .35, alternative = "less")$p.value, "\n")
cat("paid(100,.35,.30) = pbinom(26,100,.3) =", pbinom(26, 100, .3), "\n")
k <- 0:26
cat("E pay = sum(dbinom(0:26,100,.3)*2000*100*(.35-(0:26)/100)) =", sum(dbinom(k, 100, .3) * 2000 * 100 * (.35 - k / 100)), "\n")
cat("kcrit_normal(100,.35) =", kcrit_normal(100, .35), " paid normal =", paid(100, .35, .3, crit = kcrit_normal), "\n")
cat("kcrit(10,.35) =", kcrit(10, .35), " (pbinom(0,10,.35) =", pbinom(0, 10, .35), ")\n")
cat("kcrit(300,.35) =", kcrit(300, .35), " paid(300,.35,.30) =", paid(300, .35, .3), "\n")
pp <- sapply(1:1500, function(n) paid(n, .35, .30))
first <- which(pp >= .8)[1]
stable <- NA
for (n0 in first:700) if (all(pp[n0:(2 * n0)] >= .8)) { stable <- n0; break }
cat("cohort_for_target =", first, " pp =", pp[first], " stable =", stable, "\n")
cat("sawtooth: pp[", first:(first + 5), "] =", pp[first:(first + 5)], "\n")
# Frequency measure: R re-offenders ~ Bin(n, p1); total T | R ~ Poisson(R f1); paid when ppois(T, R f0) <= alpha.
tcrit <- function(R, f0, alpha = 0.05) { if (R == 0) return(NA); t <- qpois(alpha, R * f0); while (t >= 0 && ppois(t, R * f0) > alpha) t <- t - 1; if (t < 0) NA else t }
fpaid <- function(n, p1, f0, f1, alpha = 0.05) { R <- 1:n; sum(sapply(R, function(r) { c <- tcrit(r, f0, alpha); if (is.na(c)) 0 else dbinom(r, n, p1) * ppois(c, r * f1) })) }
fpay <- function(n, p1, f0, f1, price, alpha = 0.05) { R <- 1:n; sum(sapply(R, function(r) { c <- tcrit(r, f0, alpha); if (is.na(c)) return(0); t <- 0:c; dbinom(r, n, p1) * sum(dpois(t, r * f1) * price * pmax(0, r * f0 - t)) })) }
cat("tcrit(30, 3.2) =", tcrit(30, 3.2), " poisson.test(79, 30, 3.2, alternative='less')$p.value =", poisson.test(79, 30, 3.2, alternative = "less")$p.value, "\n")
cat("fpaid(100,.3,3.2,2.9) =", fpaid(100, .3, 3.2, 2.9), "\n")
cat("fpay(100,.3,3.2,2.9,150) =", fpay(100, .3, 3.2, 2.9, 150), "\n")
fp <- sapply(1:1500, function(n) fpaid(n, .3, 3.2, 2.9))
ffirst <- which(fp >= .8)[1]
fstable <- NA
for (n0 in ffirst:750) if (all(fp[n0:(2 * n0)] >= .8)) { fstable <- n0; break }
cat("frequency cohort_for_target =", ffirst, " stable =", fstable, "\n")
