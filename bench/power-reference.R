# Reference values for src/core/power/*.test.ts: the PowerUpR 1.1.0 formulas (docs/methods.md) written
# out in R, and R power.prop.test / pwr for binary outcomes. Run: Rscript bench/power-reference.R
sse <- function(d, n=NA, J=NA, K=NA, p=.5, rho2=0, rho3=0, omega2=0, omega3=0, r21=0, r22=0, r23=0, r2t2=0, r2t3=0) {
  pq <- p*(1-p)
  v <- switch(d,
    ira = (1-r21)/(pq*n),
    bira2f1 = (1-r21)/(pq*J*n),
    bira2 = rho2*omega2*(1-r2t2)/J + (1-rho2)*(1-r21)/(pq*J*n),
    cra2 = rho2*(1-r22)/(pq*J) + (1-rho2)*(1-r21)/(pq*J*n),
    cra3 = rho3*(1-r23)/(pq*K) + rho2*(1-r22)/(pq*J*K) + (1-rho2-rho3)*(1-r21)/(pq*J*K*n),
    bcra3r2 = rho3*omega3*(1-r2t3)/K + rho2*(1-r22)/(pq*J*K) + (1-rho2-rho3)*(1-r21)/(pq*J*K*n),
    bcra3f2 = rho2*(1-r22)/(pq*J*K) + (1-rho2)*(1-r21)/(pq*J*K*n))
  sqrt(v)
}
dfd <- function(d, n=NA, J=NA, K=NA, g1=0, g2=0, g3=0) switch(d, ira=n-g1-2, bira2f1=J*(n-2)-g1, bira2=J-g2-1, cra2=J-g2-2, cra3=K-g3-2, bcra3r2=K-g3-1, bcra3f2=K*(J-2)-g2)
mdes <- function(d, power=.8, alpha=.05, two=TRUE, ...) { a <- list(...); df <- do.call(dfd, c(list(d), a[intersect(names(a), c('n','J','K','g1','g2','g3'))])); s <- do.call(sse, c(list(d), a[setdiff(names(a), c('g1','g2','g3'))]))
  t1 <- if (two) qt(alpha/2, df, lower.tail=FALSE) else qt(alpha, df, lower.tail=FALSE); t2 <- abs(qt(power, df)); M <- if (power>=.5) t1+t2 else t1-t2
  c(mdes=M*s, lo=M*s*(1-t1/M), hi=M*s*(1+t1/M), df=df, M=M, sse=s) }
pw <- function(d, es, alpha=.05, two=TRUE, ...) { a <- list(...); df <- do.call(dfd, c(list(d), a[intersect(names(a), c('n','J','K','g1','g2','g3'))])); s <- do.call(sse, c(list(d), a[setdiff(names(a), c('g1','g2','g3'))])); l <- es/s
  if (two) { tc <- qt(alpha/2, df, lower.tail=FALSE); pt(tc, df, ncp=l, lower.tail=FALSE) + pt(-tc, df, ncp=l) } else pt(qt(alpha, df, lower.tail=FALSE), df, ncp=l, lower.tail=FALSE) }
p <- function(x) cat(paste(names(x), sprintf('%.17g', x), collapse='  '), '\n')
cat('mdes ira n=250\n'); p(mdes('ira', n=250))
cat('mdes cra2 rho2=.17 n=15 J=20\n'); p(mdes('cra2', rho2=.17, n=15, J=20))
cat('mdes cra3\n'); p(mdes('cra3', rho3=.06, rho2=.17, n=15, J=3, K=60))
cat('mdes bcra3r2\n'); p(mdes('bcra3r2', rho3=.13, rho2=.10, omega3=.4, n=10, J=6, K=24))
cat('mdes bira2\n'); p(mdes('bira2', rho2=.17, omega2=.5, n=15, J=20))
cat('mdes bira2f1 n=20 J=10 r21=.3 g1=2\n'); p(mdes('bira2f1', n=20, J=10, r21=.3, g1=2))
cat('mdes bcra3f2 rho2=.15 n=20 J=4 K=10 r22=.4 g2=1 r21=.2\n'); p(mdes('bcra3f2', rho2=.15, n=20, J=4, K=10, r22=.4, r21=.2, g2=1))
cat('mdes cra2 one-tailed power .9 p=.4 alpha .1\n'); p(mdes('cra2', rho2=.2, n=25, J=40, p=.4, r22=.5, r21=.3, g2=2, power=.9, alpha=.1, two=FALSE))
cat('mdes ira power .4\n'); p(mdes('ira', n=100, power=.4))
cat('power ira n=250 es=.25\n'); p(pw('ira', es=.25, n=250))
cat('power cra2 es=.3\n'); p(pw('cra2', es=.3, rho2=.17, n=15, J=20))
cat('power cra3 es .2\n'); p(pw('cra3', es=.2, rho3=.06, rho2=.17, n=15, J=3, K=60))
cat('power bcra3r2 es .2 one-tailed\n'); p(pw('bcra3r2', es=.2, two=FALSE, rho3=.13, rho2=.10, omega3=.4, n=10, J=6, K=24))
cat('power bira2 es .3\n'); p(pw('bira2', es=.3, rho2=.17, omega2=.5, n=15, J=20))
cat('power bcra3f2 es .25\n'); p(pw('bcra3f2', es=.25, rho2=.15, n=20, J=4, K=10, r22=.4, r21=.2, g2=1))
cat('power bira2f1 es .25\n'); p(pw('bira2f1', es=.25, n=20, J=10, r21=.3, g1=2))
# sizes: exact real roots
root <- function(f, lo, hi) uniroot(f, c(lo, hi), tol=1e-13)$root
cat('n ira es .25 power .8\n'); r <- root(function(n) pw('ira', es=.25, n=n) - .8, 3, 5000); p(c(exact=r, ceil=ceiling(r), pw_ceil=pw('ira', es=.25, n=ceiling(r)), pw_prev=pw('ira', es=.25, n=ceiling(r)-1)))
cat('J cra2 es .3 rho2 .17 n 15\n'); r <- root(function(J) pw('cra2', es=.3, rho2=.17, n=15, J=J) - .8, 2.0001, 5000); p(c(exact=r, ceil=ceiling(r), pw_ceil=pw('cra2', es=.3, rho2=.17, n=15, J=ceiling(r)), pw_prev=pw('cra2', es=.3, rho2=.17, n=15, J=ceiling(r)-1)))
cat('K cra3 es .25 \n'); r <- root(function(K) pw('cra3', es=.25, rho3=.06, rho2=.17, n=15, J=3, K=K) - .8, 2.0001, 5000); p(c(exact=r, ceil=ceiling(r), pw_ceil=pw('cra3', es=.25, rho3=.06, rho2=.17, n=15, J=3, K=ceiling(r))))
cat('K bcra3r2 es .25 power .9\n'); f <- function(K) pw('bcra3r2', es=.25, rho3=.13, rho2=.10, omega3=.4, n=10, J=6, K=K); r <- root(function(K) f(K) - .9, 1.0001, 5000); p(c(exact=r, ceil=ceiling(r), pw_ceil=f(ceiling(r))))
cat('J bira2 es .3\n'); f <- function(J) pw('bira2', es=.3, rho2=.17, omega2=.5, n=15, J=J); r <- root(function(J) f(J) - .8, 1.0001, 5000); p(c(exact=r, ceil=ceiling(r), pw_ceil=f(ceiling(r))))
cat('n bira2f1 es .3 J 10\n'); f <- function(n) pw('bira2f1', es=.3, n=n, J=10, r21=.3, g1=2); r <- root(function(n) f(n) - .8, 2.3, 5000); p(c(exact=r, ceil=ceiling(r), pw_ceil=f(ceiling(r))))
cat('K bcra3f2 es .3\n'); f <- function(K) pw('bcra3f2', es=.3, rho2=.15, n=20, J=4, K=K, r22=.4, r21=.2, g2=1); r <- root(function(K) f(K) - .8, 0.5001, 5000); p(c(exact=r, ceil=ceiling(r), pw_ceil=f(ceiling(r))))

# ---- Binary outcomes (values in src/core/power/binary-power.test.ts) ----
library(pwr)
p <- function(label, x) cat(label, sprintf('%.17g', x), '\n')
p('power.prop.test(p1=.5,p2=.75,power=.9,tol=1e-12)$n', power.prop.test(p1=.5,p2=.75,power=.9,tol=1e-12)$n)
p('power.prop.test(p1=.35,p2=.288,power=.8,tol=1e-12)$n', power.prop.test(p1=.35,p2=.288,power=.8,tol=1e-12)$n)
p('power.prop.test(n=300,p1=.35,p2=.25)$power', power.prop.test(n=300,p1=.35,p2=.25)$power)
p('power.prop.test(p1=.35,p2=.25,power=.8,alternative="one.sided",tol=1e-12)$n', power.prop.test(p1=.35,p2=.25,power=.8,alternative="one.sided",tol=1e-12)$n)
# Fleiss with allocation ratio r (closed form)
fl <- function(p1, p2, r, a=.05, pw=.8) { pb <- (p1 + r*p2)/(1+r); (qnorm(1-a/2)*sqrt((1+1/r)*pb*(1-pb)) + qnorm(pw)*sqrt(p1*(1-p1) + p2*(1-p2)/r))^2/(p1-p2)^2 }
flcc <- function(p1, p2, r, a=.05, pw=.8) { n <- fl(p1,p2,r,a,pw); n/4*(1+sqrt(1+2*(r+1)/(n*r*abs(p1-p2))))^2 }
p('fl(.35,.25,2)', fl(.35,.25,2))
p('flcc(.5,.75,1,pw=.9)', flcc(.5,.75,1,pw=.9))
p('flcc(.35,.25,2)', flcc(.35,.25,2))
p('pwr.2p.test(h=ES.h(.65,.45),power=.8)$n', pwr.2p.test(h=ES.h(.65,.45),power=.8)$n)
p('uniroot tight pwr.2p.test', uniroot(function(n) pwr.2p.test(h=ES.h(.65,.45), n=n)$power - .8, c(2, 1000), tol=1e-13)$root)
p('ES.h(.65,.45)', ES.h(.65,.45))
p('pwr.2p2n.test(h=ES.h(.35,.25),n1=200,n2=300)$power', pwr.2p2n.test(h=ES.h(.35,.25),n1=200,n2=300)$power)
p('pwr.2p2n.test(h=ES.h(.35,.25),n1=200,n2=300,alternative="greater")$power', pwr.2p2n.test(h=ES.h(.35,.25),n1=200,n2=300,alternative="greater")$power)
p('uniroot 2p2n ratio 1.5', uniroot(function(n) pwr.2p2n.test(h=ES.h(.35,.25), n1=n, n2=1.5*n)$power - .8, c(2, 5000), tol=1e-13)$root)
# clustered: DE, cv
p('DE m=25 icc=.027', 1 + 24*.027)
p('DE cv .4', 1 + ((.4^2+1)*25 - 1)*.027)
p('power.prop.test(p1=.35,p2=.288,power=.8)$n * DE', power.prop.test(p1=.35,p2=.288,power=.8,tol=1e-12)$n * (1+24*.027))
p('power.prop.test(n=500/1.648,p1=.35,p2=.288)$power', power.prop.test(n=500/1.648,p1=.35,p2=.288)$power)
# detectable p2 for n = 500 per arm, DE 1.648, normal, power .8, p1 .35 (lower)
f <- function(p2) power.prop.test(n=500/1.648, p1=.35, p2=p2)$power - .8
p2 <- uniroot(f, c(0.01, .3499), tol=1e-14)$root
p('detectable p2', p2); p('logit d', abs(qlogis(p2) - qlogis(.35))*sqrt(3)/pi); p('h', ES.h(.35, p2))
f <- function(p2) pwr.2p2n.test(h=ES.h(.35,p2), n1=400, n2=400)$power - .8
p('detectable arcsine p2 n 400 higher', uniroot(f, c(.3501, .99), tol=1e-14)$root)
