# Reference values for the mod212 tests (src/core/power/powerup.test.ts): PowerUpR 1.1.0's own R code
# (github.com/metinbulus/PowerUpR commit 5580f7ea84304c03f7e15d3f0138cc7afb93692b, R/*.R), run on the
# help-page example (man/bira2.Rd) and the examples written under the functions in R/bira2.R.
# Put the R files under $PKGSRC/PowerUpR/R/ and run: PKGSRC=/path Rscript bench/power-mod212-reference.R
src <- Sys.getenv('PKGSRC', '/tmp/pkgsrc')
for (f in list.files(file.path(src, 'PowerUpR', 'R'), full.names = TRUE)) source(f)
p <- function(label, x) cat(label, paste(sprintf('%.17g', x), collapse = ' '), '\n')
quiet <- function(expr) { capture.output(v <- suppressMessages(expr)); v }
# label, parameters (with J), power for mdes, es for power and for the size
cases <- list(
  list('help page', list(rho2 = .247, omega2t = .148, r21 = .493, n = 20, J = 20), .739, .248),
  list('rand cont J=20', list(rho2 = .242, omega2t = .216, r21 = .500, n = 20, J = 20), .611, .253),
  list('rand cont J=40', list(rho2 = .247, omega2t = .213, r21 = .501, n = 20, J = 40), .909, .253),
  list('rand bin J=40', list(rho2 = .247, omega2t = .166, r21 = .501, q = .5, n = 20, J = 40), .366, .249),
  list('rand bin J=80', list(rho2 = .247, omega2t = .166, r21 = .501, q = .5, n = 20, J = 80), .650, .252),
  list('nonrand cont J=20', list(rho2 = .245, omega2t = 0, r21 = .499, n = 20, J = 20), .693, .152),
  list('nonrand cont J=40', list(rho2 = .247, omega2t = 0, r21 = .499, n = 20, J = 40), .932, .150),
  list('nonrand bin J=20', list(rho2 = .249, omega2t = 0, r21 = .498, q = .5, n = 20, J = 20), .528, .250),
  list('nonrand bin J=40', list(rho2 = .251, omega2t = 0, r21 = .500, q = .5, n = 20, J = 40), .820, .249))
for (m in cases) {
  a <- m[[2]]
  md <- quiet(do.call(mdes.mod212, c(list(power = m[[3]]), a)))
  pw <- quiet(do.call(power.mod212, c(list(es = m[[4]]), a)))
  rest <- a[setdiff(names(a), 'J')]
  # the real J at which power.mod212(es) equals the power used for the MDES
  rt <- uniroot(function(x) quiet(do.call(power.mod212, c(list(es = m[[4]]), rest, list(J = x))))$power - m[[3]],
                c(if (a$omega2t > 0) 3 else 0.5, 5000), tol = 1e-13)$root
  ms <- quiet(do.call(mrss.mod212, c(list(es = m[[4]], power = m[[3]]), rest)))
  p(paste(m[[1]], ': mdes lcl ucl df power(es) root mrss'), c(md$mdes, md$df, pw$power, rt, ms$J))
}
