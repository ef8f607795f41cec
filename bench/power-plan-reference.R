# Reference values for the planning tests (src/core/power/*.test.ts, src/app/power.test.ts):
# the packages' own R code, sourced from their public sources (none is a Debian package):
#   PowerUpR 1.1.0   github.com/metinbulus/PowerUpR   commit 5580f7ea84304c03f7e15d3f0138cc7afb93692b (R/*.R)
#   clusterPower     github.com/Kenkleinman/clusterPower commit cfa3a00a14c381a824eb399c05596b252003795a (R/cpa.binary.R)
#   MKpower          github.com/stamats/MKpower       commit 078cc7887b0c4b66c3a269814131dd0520c597ef (R/powerNbinomTest.R)
# Put them under $PKGSRC/<package>/R/ and run: PKGSRC=/path Rscript bench/power-plan-reference.R
src <- Sys.getenv('PKGSRC', '/tmp/pkgsrc')
for (f in list.files(file.path(src, 'PowerUpR', 'R'), full.names = TRUE)) source(f)
suppressMessages <- base::suppressMessages
source(file.path(src, 'clusterPower', 'R', 'cpa.binary.R'))
source(file.path(src, 'MKpower', 'R', 'powerNbinomTest.R'))
p <- function(label, x) cat(label, paste(sprintf('%.17g', x), collapse = ' '), '\n')
quiet <- function(expr) { capture.output(v <- suppressMessages(expr)); v }
`%||%` <- function(a, b) if (is.null(a)) b else a

cat('# ---- clusterPower::cpa.binary (t on 2(J - 1) df) ----\n')
p('cpa power J=8 m=50 p1=.4 p2=.25 icc=.05', cpa.binary(nclusters = 8, nsubjects = 50, p1 = .4, p2 = .25, ICC = .05))
p('cpa nclusters power=.8 m=50 p1=.4 p2=.25 icc=.05', cpa.binary(power = .8, nsubjects = 50, p1 = .4, p2 = .25, ICC = .05, tol = 1e-12))
p('cpa power J=12', cpa.binary(nclusters = 12, nsubjects = 50, p1 = .4, p2 = .25, ICC = .05))
p('cpa power J=11', cpa.binary(nclusters = 11, nsubjects = 50, p1 = .4, p2 = .25, ICC = .05))
p('cpa tdist=FALSE power J=8', cpa.binary(nclusters = 8, nsubjects = 50, p1 = .4, p2 = .25, ICC = .05, tdist = FALSE))
# help-page examples (the page writes power = 0.08 for 0.8): nclusters > 37; p2 = 0.198922 at 38 clusters
p('cpa doc nclusters m=10 p1=.1 p2=.2 icc=.1', cpa.binary(power = .8, nsubjects = 10, p1 = .1, p2 = .2, ICC = .1, tol = 1e-12))
p('cpa doc p2 J=38 m=10 p1=.1 icc=.1 p1inc=FALSE', cpa.binary(power = .8, nsubjects = 10, nclusters = 38, p1 = .1, p2 = NA, ICC = .1, p1inc = FALSE, tol = 1e-12))
# unequal cluster sizes
p('cpa power J=10 m=30 CV=.5 p1=.35 p2=.25 icc=.03', cpa.binary(nclusters = 10, nsubjects = 30, CV = .5, p1 = .35, p2 = .25, ICC = .03))
# fixed clusters: solve the cluster size; the ceiling as nsubjects grows
p('cpa nsubjects J=20 p1=.35 p2=.25 icc=.02', cpa.binary(power = .8, nclusters = 20, p1 = .35, p2 = .25, ICC = .02, tol = 1e-12))
p('cpa power J=20 m=1e7 p1=.35 p2=.27 icc=.02 (ceiling)', cpa.binary(nclusters = 20, nsubjects = 1e7, p1 = .35, p2 = .27, ICC = .02))
ceiling_t <- function(J, p1, p2, icc) { df <- 2 * (J - 1); pt(qt(.975, df), df, abs(p1 - p2) / sqrt(icc * (p1 * (1 - p1) + p2 * (1 - p2)) / J), lower.tail = FALSE) }
p('ceiling J=20 p1=.35 p2=.27 icc=.02 (limit formula)', ceiling_t(20, .35, .27, .02))
# the issue's infeasible case: ICC .02, 20 teams per arm, p1 .35 vs p2 .30: no cluster size reaches 80%
p('ceiling J=20 p1=.35 p2=.30 icc=.02 (t, limit formula)', ceiling_t(20, .35, .30, .02))
p('cpa power J=20 m=1e7 p1=.35 p2=.30 icc=.02', cpa.binary(nclusters = 20, nsubjects = 1e7, p1 = .35, p2 = .30, ICC = .02))
p('cpa power J=20 m=1e7 p1=.35 p2=.30 icc=.02 tdist=FALSE (the issue: about 0.67)', cpa.binary(nclusters = 20, nsubjects = 1e7, p1 = .35, p2 = .30, ICC = .02, tdist = FALSE))
cat('cpa nsubjects J=20 p1=.35 p2=.30 icc=.02 has no root:', inherits(try(cpa.binary(power = .8, nclusters = 20, p1 = .35, p2 = .30, ICC = .02), silent = TRUE), 'try-error'), '\n')

cat('# ---- Hayes & Bennett (1999), unmatched, proportions: their equation written out ----\n')
hb <- function(p1, p2, m, k, alpha = .05, power = .8) 1 + (qnorm(1 - alpha / 2) + qnorm(power))^2 * (p1 * (1 - p1) / m + p2 * (1 - p2) / m + k^2 * (p1^2 + p2^2)) / (p1 - p2)^2
p('hb p1=.35 p2=.25 m=30 k=.25', hb(.35, .25, 30, .25))
p('hb p1=.4 p2=.25 m=50 k=.2 power .9', hb(.4, .25, 50, .2, power = .9))

cat('# ---- Schoenfeld (1983) events, exponential event probabilities ----\n')
schoenfeld <- function(hr, power = .8, alpha = .05, pi = .5) (qnorm(1 - alpha / 2) + qnorm(power))^2 / (pi * (1 - pi) * log(hr)^2)
p('events hr=.7', schoenfeld(.7))
p('events hr=.7 pi=2/3 power=.9', schoenfeld(.7, power = .9, pi = 2 / 3))
pev <- function(h, A, F) 1 - integrate(function(u) exp(-h * (F + A - u)), 0, A, rel.tol = 1e-13)$value / A
h0 <- log(2) / 24
p('event prob control median 24 A=12 F=12 (integrate)', pev(h0, 12, 12))
p('event prob treated hr .7', pev(h0 * .7, 12, 12))
p('power events=200 hr=.7', pnorm(abs(log(.7)) * sqrt(200 * .25) - qnorm(.975)))

cat('# ---- MKpower::power.nb.test (Zhu & Lakkis 2014) ----\n')
for (a in 1:3) p(paste('nb Table I mu0=.8 RR=.85 k=.4 t=.75 approach', a), power.nb.test(mu0 = .8, RR = .85, theta = 1 / .4, duration = .75, power = .8, approach = a)$n)
for (a in 1:3) p(paste('nb Table I mu0=1.4 RR=1.15 k=1.5 t=.75 approach', a), power.nb.test(mu0 = 1.4, RR = 1.15, theta = 1 / 1.5, duration = .75, power = .8, approach = a)$n)
p('nb Table II mu0=10 RR=1.5 k=.2 ratio 1.5 approach 3', power.nb.test(mu0 = 10, RR = 1.5, theta = 5, duration = 1, ssize.ratio = 3 / 2, power = .8, approach = 3)$n)
p('nb power n=100 mu0=.8 RR=.7 k=.4', power.nb.test(n = 100, mu0 = .8, RR = .7, theta = 1 / .4, duration = 1, approach = 3)$power)
# Poisson (k -> 0): theta very large
p('poisson mu0=.8 RR=.7 approach 3', power.nb.test(mu0 = .8, RR = .7, theta = 1e12, duration = 1, power = .8, approach = 3)$n)

cat('# ---- PowerUpR 1.1.0 help-page cross-checks (new designs) ----\n')
m <- quiet(mdes.bira2c1(n = 15, J = 20)); p('mdes.bira2c1 n=15 J=20', c(m$mdes[1], m$parms$df))
m <- quiet(power.bira2c1(es = .325, n = 15, J = 20)); p('power.bira2c1 es=.325', m$power)
m <- quiet(mrss.bira2c1(es = .325, J = 20)); p('mrss.bira2c1 es=.325 J=20', m$n)
m <- quiet(mdes.bira3(rho3 = .20, rho2 = .15, omega3 = .10, omega2 = .10, n = 69, J = 10, K = 100)); p('mdes.bira3', c(m$mdes[1], m$parms$df))
m <- quiet(power.bira3(es = .045, rho3 = .20, rho2 = .15, omega3 = .10, omega2 = .10, n = 69, J = 10, K = 100)); p('power.bira3 es=.045', m$power)
m <- quiet(mrss.bira3(es = .045, rho3 = .20, rho2 = .15, omega3 = .10, omega2 = .10, n = 69, J = 10)); p('mrss.bira3', m$K)
m <- quiet(mdes.bira4(rho4 = .05, rho3 = .15, rho2 = .15, omega4 = .50, omega3 = .50, omega2 = .50, n = 10, J = 4, K = 4, L = 27)); p('mdes.bira4', c(m$mdes[1], m$parms$df))
m <- quiet(power.bira4(es = .142, rho4 = .05, rho3 = .15, rho2 = .15, omega4 = .50, omega3 = .50, omega2 = .50, n = 10, J = 4, K = 4, L = 27)); p('power.bira4', m$power)
m <- quiet(mrss.bira4(es = .142, rho4 = .05, rho3 = .15, rho2 = .15, omega4 = .50, omega3 = .50, omega2 = .50, n = 10, J = 4, K = 4)); p('mrss.bira4', m$L)
m <- quiet(mdes.bcra4r2(rho4 = .05, rho3 = .15, rho2 = .15, omega4 = .50, omega3 = .50, n = 10, J = 4, K = 4, L = 20)); p('mdes.bcra4r2', c(m$mdes[1], m$parms$df))
m <- quiet(power.bcra4r2(es = .206, rho4 = .05, rho3 = .15, rho2 = .15, omega4 = .50, omega3 = .50, n = 10, J = 4, K = 4, L = 20)); p('power.bcra4r2', m$power)
m <- quiet(mrss.bcra4r2(es = .206, rho4 = .05, rho3 = .15, rho2 = .15, omega4 = .50, omega3 = .50, n = 10, J = 4, K = 4)); p('mrss.bcra4r2', m$L)
m <- quiet(mdes.bcra4r3(rho4 = .05, rho3 = .15, rho2 = .15, omega4 = .50, n = 10, J = 4, K = 4, L = 20)); p('mdes.bcra4r3', c(m$mdes[1], m$parms$df))
m <- quiet(power.bcra4r3(es = .316, rho4 = .05, rho3 = .15, rho2 = .15, omega4 = .50, n = 10, J = 4, K = 4, L = 20)); p('power.bcra4r3', m$power)
m <- quiet(mrss.bcra4r3(es = .316, rho4 = .05, rho3 = .15, rho2 = .15, omega4 = .50, n = 10, J = 4, K = 4)); p('mrss.bcra4r3', m$L)
m <- quiet(mdes.cra4(rho4 = .05, rho3 = .05, rho2 = .10, n = 10, J = 2, K = 3, L = 20)); p('mdes.cra4', c(m$mdes[1], m$parms$df))
m <- quiet(power.cra4(es = .412, rho4 = .05, rho3 = .05, rho2 = .10, n = 10, J = 2, K = 3, L = 20)); p('power.cra4', m$power)
m <- quiet(mrss.cra4(es = .412, rho4 = .05, rho3 = .05, rho2 = .10, n = 10, J = 2, K = 3)); p('mrss.cra4', m$L)
m <- quiet(mdes.bcra4f3(rho3 = .15, rho2 = .15, n = 10, J = 4, K = 23, L = 15)); p('mdes.bcra4f3', c(m$mdes[1], m$parms$df))
m <- quiet(power.bcra4f3(es = .137, rho3 = .15, rho2 = .15, n = 10, J = 4, K = 33, L = 15)); p('power.bcra4f3 K=33', m$power)
m <- quiet(mrss.bcra4f3(es = .137, rho3 = .15, rho2 = .15, n = 10, J = 4, L = 15)); p('mrss.bcra4f3', m$K)
# covariates and one-tailed, on a 4-level design
m <- quiet(mdes.cra4(rho4 = .05, rho3 = .05, rho2 = .10, r21 = .3, r22 = .2, r23 = .8, r24 = .5, g4 = 2, n = 10, J = 2, K = 3, L = 20, two.tailed = FALSE, power = .9)); p('mdes.cra4 covariates one-tailed power .9', c(m$mdes, m$parms$df))
# exact real roots of power = .8 in the free size (PowerUpR's own power functions), and df
root <- function(f, lo, hi) uniroot(function(x) quiet(f(x))$power - .8, c(lo, hi), tol = 1e-13)$root
p('root bira2c1 n', root(function(n) do.call(power.bira2c1, list(es = .325, n = n, J = 20)), 1.1, 500))
p('root bira3 K', root(function(K) do.call(power.bira3, list(es = .045, rho3 = .20, rho2 = .15, omega3 = .10, omega2 = .10, n = 69, J = 10, K = K)), 2, 5000))
p('root bira4 L', root(function(L) do.call(power.bira4, list(es = .142, rho4 = .05, rho3 = .15, rho2 = .15, omega4 = .50, omega3 = .50, omega2 = .50, n = 10, J = 4, K = 4, L = L)), 2, 5000))
p('root bcra4r2 L', root(function(L) do.call(power.bcra4r2, list(es = .206, rho4 = .05, rho3 = .15, rho2 = .15, omega4 = .50, omega3 = .50, n = 10, J = 4, K = 4, L = L)), 2, 5000))
p('root bcra4r3 L', root(function(L) do.call(power.bcra4r3, list(es = .316, rho4 = .05, rho3 = .15, rho2 = .15, omega4 = .50, n = 10, J = 4, K = 4, L = L)), 2, 5000))
p('root cra4 L', root(function(L) do.call(power.cra4, list(es = .412, rho4 = .05, rho3 = .05, rho2 = .10, n = 10, J = 2, K = 3, L = L)), 3, 5000))
p('root bcra4f3 K', root(function(K) do.call(power.bcra4f3, list(es = .137, rho3 = .15, rho2 = .15, n = 10, J = 4, K = K, L = 15)), 4, 5000))
for (d in quiet(list(list("bira2c1", mdes.bira2c1(n = 15, J = 20)), list('bira3', mdes.bira3(rho3 = .20, rho2 = .15, omega3 = .10, omega2 = .10, n = 69, J = 10, K = 100)),
               list('bira4', mdes.bira4(rho4 = .05, rho3 = .15, rho2 = .15, omega4 = .50, omega3 = .50, omega2 = .50, n = 10, J = 4, K = 4, L = 27)),
               list('bcra4r2', mdes.bcra4r2(rho4 = .05, rho3 = .15, rho2 = .15, omega4 = .50, omega3 = .50, n = 10, J = 4, K = 4, L = 20)),
               list('bcra4r3', mdes.bcra4r3(rho4 = .05, rho3 = .15, rho2 = .15, omega4 = .50, n = 10, J = 4, K = 4, L = 20)),
               list('bcra4f3', mdes.bcra4f3(rho3 = .15, rho2 = .15, n = 10, J = 4, K = 23, L = 15))))) {
  cat('df', d[[1]], d[[2]]$parms$df %||% d[[2]]$df, '\n')
}
p('power events=400 hr=.7', pnorm(abs(log(.7)) * sqrt(400 * .25) - qnorm(.975)))

cat('# ---- PowerUpR 1.1.0 moderator designs: help-page cross-checks ----\n')
mods <- list(
  list('mod211 rand cont', 'mod211', list(rho2 = .247, omega2tm = .148, r21 = .493, n = 20, J = 35), .248),
  list('mod221 rand cont', 'mod221', list(rho2 = .17, omegam2 = .10, n = 15, J = 20), .3563),
  list('mod221 nonrand cont', 'mod221', list(rho2 = .17, omegam2 = 0, n = 15, J = 20), .2957),
  list('mod221 rand bin', 'mod221', list(rho2 = .17, omegam2 = .10, q = .5, n = 15, J = 20), .647),
  list('mod221 nonrand bin', 'mod221', list(rho2 = .17, omegam2 = 0, q = .5, n = 15, J = 20), .5915),
  list('mod222 cont', 'mod222', list(rho2 = .17, n = 15, J = 100), .2742),
  list('mod222 bin', 'mod222', list(rho2 = .17, q = .5, n = 15, J = 100), .5485),
  list('mod331 rand cont', 'mod331', list(rho2 = .17, rho3 = .06, omegam2 = .10, omegam3 = .10, n = 15, J = 3, K = 60), .1248),
  list('mod331 nonrand cont', 'mod331', list(rho2 = .17, rho3 = .06, omegam2 = 0, omegam3 = 0, n = 15, J = 3, K = 60), .0946),
  list('mod331 rand bin', 'mod331', list(rho2 = .17, rho3 = .06, omegam2 = .10, omegam3 = .10, q = .5, n = 15, J = 3, K = 60), .2082),
  list('mod331 nonrand bin', 'mod331', list(rho2 = .17, rho3 = .06, omegam2 = 0, omegam3 = 0, q = .5, n = 15, J = 3, K = 60), .1893),
  list('mod332 rand bin', 'mod332', list(rho3 = .1, rho2 = .1, omegam3 = .05, q = .5, g2 = 1, r21 = .30, r22 = .4, r2m3 = 0, n = 20, J = 4, K = 60), .22),
  list('mod332 nonrand cont', 'mod332', list(rho3 = .1, rho2 = .1, omegam3 = 0, g2 = 1, r21 = .30, r22 = .4, r2m3 = 0, n = 20, J = 4, K = 60), .11),
  list('mod333 bin', 'mod333', list(rho3 = .1, rho2 = .1, q = .5, g3 = 1, r21 = .3, r22 = .4, r23 = .5, n = 20, J = 4, K = 60), .22))
for (m in mods) {
  a <- m[[3]]
  md <- quiet(do.call(get(paste0('mdes.', m[[2]])), a))
  pw <- quiet(do.call(get(paste0('power.', m[[2]])), c(list(es = m[[4]]), a)))
  free <- if (substr(m[[2]], 4, 4) == '2') 'J' else 'K'
  rest <- a[setdiff(names(a), free)]
  rt <- uniroot(function(x) quiet(do.call(get(paste0('power.', m[[2]])), c(list(es = m[[4]]), rest, setNames(list(x), free))))$power - .8,
                c(if (m[[2]] %in% c('mod222', 'mod333')) 6.5 else 3.5, 5000), tol = 1e-13)$root
  ms <- try(quiet(do.call(get(paste0('mrss.', m[[2]])), c(list(es = m[[4]]), rest))), silent = TRUE)
  p(paste(m[[1]], ': mdes df power(es) root mrss'), c(md$mdes[1], md$parms$df %||% md$df, pw$power, rt, if (inherits(ms, 'try-error')) NA else ms[[free]]))
}

cat('# ---- PowerUpR 1.1.0 partially nested designs: help-page cross-checks ----\n')
pn <- list(
  list('ira_pn', 'ira_pn', list(rho_ic = .20, ic_size = 1, n = 250), .377, 'n', 20),
  list('ira_pn groups of 8', 'ira_pn', list(rho_ic = .10, ic_size = 8, n = 400), .3, 'n', 40),
  list('bira2_pn', 'bira2_pn', list(rho2_trt = .20, omega2 = .50, rho_ic = .10, ic_size = 5, n = 20, J = 15), .357, 'J', 4),
  list('cra2_pn', 'cra2_pn', list(rho2_trt = .15, rho_ic = .10, ic_size = 10, n = 40, J = 70), .305, 'J', 4),
  list('bcra3r2_pn', 'bcra3r2_pn', list(rho3_trt = .10, omega3 = .50, rho2_trt = .15, rho_ic = .20, ic_size = 10, n = 40, J = 60, K = 6), .399, 'K', 3))
for (m in pn) {
  a <- m[[3]]
  md <- suppressWarnings(quiet(do.call(get(paste0('mdes.', m[[2]])), a)))
  pw <- suppressWarnings(quiet(do.call(get(paste0('power.', m[[2]])), c(list(es = m[[4]]), a))))
  free <- m[[5]]
  rest <- a[setdiff(names(a), free)]
  rt <- uniroot(function(x) suppressWarnings(quiet(do.call(get(paste0('power.', m[[2]])), c(list(es = m[[4]]), rest, setNames(list(x), free)))))$power - .8,
                c(m[[6]], 50000), tol = 1e-13)$root
  p(paste(m[[1]], ': mdes df power(es) root'), c(md$mdes[1], md$parms$df %||% md$df, pw$power, rt))
}
