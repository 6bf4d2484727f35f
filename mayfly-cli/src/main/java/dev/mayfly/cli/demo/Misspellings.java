package dev.mayfly.cli.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A small built-in list of common English misspellings and their corrections. */
final class Misspellings {
  private static final Pattern WORD = Pattern.compile("[A-Za-z]+");
  private static final Map<String, String> FIXES =
      Map.ofEntries(
          Map.entry("accross", "across"),
          Map.entry("acheive", "achieve"),
          Map.entry("accomodate", "accommodate"),
          Map.entry("adress", "address"),
          Map.entry("agressive", "aggressive"),
          Map.entry("alot", "a lot"),
          Map.entry("apparantly", "apparently"),
          Map.entry("arguement", "argument"),
          Map.entry("asynchonous", "asynchronous"),
          Map.entry("becuase", "because"),
          Map.entry("begining", "beginning"),
          Map.entry("beleive", "believe"),
          Map.entry("calender", "calendar"),
          Map.entry("commited", "committed"),
          Map.entry("compatability", "compatibility"),
          Map.entry("concurent", "concurrent"),
          Map.entry("definately", "definitely"),
          Map.entry("dependancy", "dependency"),
          Map.entry("dependant", "dependent"),
          Map.entry("enviroment", "environment"),
          Map.entry("existant", "existent"),
          Map.entry("explicitely", "explicitly"),
          Map.entry("familar", "familiar"),
          Map.entry("finaly", "finally"),
          Map.entry("futher", "further"),
          Map.entry("goverment", "government"),
          Map.entry("guarentee", "guarantee"),
          Map.entry("happend", "happened"),
          Map.entry("immediatly", "immediately"),
          Map.entry("independant", "independent"),
          Map.entry("intial", "initial"),
          Map.entry("lenght", "length"),
          Map.entry("neccessary", "necessary"),
          Map.entry("necesary", "necessary"),
          Map.entry("occured", "occurred"),
          Map.entry("occurence", "occurrence"),
          Map.entry("paramter", "parameter"),
          Map.entry("persistant", "persistent"),
          Map.entry("posible", "possible"),
          Map.entry("preceed", "precede"),
          Map.entry("recieve", "receive"),
          Map.entry("recieved", "received"),
          Map.entry("reciever", "receiver"),
          Map.entry("recomend", "recommend"),
          Map.entry("refered", "referred"),
          Map.entry("relevent", "relevant"),
          Map.entry("repositry", "repository"),
          Map.entry("responsability", "responsibility"),
          Map.entry("retreive", "retrieve"),
          Map.entry("seperate", "separate"),
          Map.entry("seperately", "separately"),
          Map.entry("sucess", "success"),
          Map.entry("succesful", "successful"),
          Map.entry("suprise", "surprise"),
          Map.entry("teh", "the"),
          Map.entry("thier", "their"),
          Map.entry("threshhold", "threshold"),
          Map.entry("tommorow", "tomorrow"),
          Map.entry("truely", "truly"),
          Map.entry("untill", "until"),
          Map.entry("usefull", "useful"),
          Map.entry("wich", "which"),
          Map.entry("writting", "writing"));

  record Finding(String word, String fix) {}

  private Misspellings() {}

  static List<Finding> find(String text) {
    List<Finding> found = new ArrayList<>();
    Matcher m = WORD.matcher(text);
    while (m.find()) {
      String fix = FIXES.get(m.group().toLowerCase(Locale.ROOT));
      if (fix != null) {
        found.add(new Finding(m.group(), fix));
      }
    }
    return found;
  }
}
